import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'echo-upstream',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
