import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy-docker',
    include: ['test/**/*.test.ts'],
    // The assembly test runs a filtered pnpm install and copies a workspace.
    testTimeout: 120_000,
  },
});
