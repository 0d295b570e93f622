import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'slo-engine',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start real processes (proxy, Elasticsearch, SMTP and HTTP receivers).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['../scripts/test/elasticsearch-global-setup.ts'],
  },
});
