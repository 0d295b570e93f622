import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy-helm',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // helm and kubeconform run as processes; a loaded 2-core machine needs the headroom.
    testTimeout: 60_000,
  },
});
