import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'hardening',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault matrix starts real processes (echo members, proxy, slo-engine) per scenario.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ['../scripts/test/elasticsearch-global-setup.ts'],
  },
});
