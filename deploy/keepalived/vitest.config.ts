import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'keepalived',
    include: ['test/**/*.test.ts'],
    // The HA drill starts keepalived, two proxies and a client in namespaces: minutes, not seconds.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
