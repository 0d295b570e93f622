import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy-elk',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The setup runs as a real process against the suite's Elasticsearch.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['../../scripts/test/elasticsearch-global-setup.ts'],
  },
});
