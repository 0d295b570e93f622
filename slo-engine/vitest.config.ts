import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'slo-engine',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
