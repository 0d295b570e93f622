import { defineConfig } from 'vitest/config';
import { PlainSummaryReporter } from './vitest.summary-reporter.ts';

export default defineConfig({
  test: {
    projects: ['telemetry', 'proxy', 'echo-upstream'],
    reporters: ['default', new PlainSummaryReporter()],
  },
});
