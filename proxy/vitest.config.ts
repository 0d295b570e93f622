import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'proxy',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start real processes; a loaded 2-core machine needs the headroom.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['../scripts/test/elasticsearch-global-setup.ts'],
  },
});
