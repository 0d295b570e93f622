import { defineConfig } from 'vitest/config';
import { PlainSummaryReporter } from './vitest.summary-reporter.ts';

export default defineConfig({
  test: {
    projects: ['config-file', 'telemetry', 'proxy', 'echo-upstream', 'slo-engine', 'dashboards', 'load-tests', 'deploy/elk', 'deploy/helm', 'deploy/docker', 'deploy/keepalived', 'hardening'],
    reporters: ['default', new PlainSummaryReporter()],
    // One test file at a time: integration tests start real processes and assert timings
    // (timeouts within 100 ms, durations within 2 ms) that two parallel files on 2 cores blur.
    fileParallelism: false,
  },
});
