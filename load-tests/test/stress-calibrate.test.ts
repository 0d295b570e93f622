import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, k6Binary } from '../src/k6-binary.ts';
import { runK6, settle, startTestStack, type TestStack } from './test-stack.ts';

const k6 = k6Binary();
const CALIBRATE = fileURLToPath(new URL('../../slo-engine/src/calibrate/main.ts', import.meta.url));

interface ReportStep {
  label: string;
  rate: number;
  events: number;
  errors: number;
  p99Ms: number | null;
  client: { requests: number };
  eventsPerRequest: number | null;
}

describe.skipIf(k6 === undefined && !IN_CI)('a short real stress run, calibrated', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('steps the arrival rate, and calibrate reads one event per k6 request in every step', async () => {
    expect(k6, 'k6 not found: set LOOKOUT_K6 or run scripts/install-k6.sh').toBeDefined();
    // 5 steps of 2 s from 40/s to 200/s: far below this machine's limit, so nothing breaks.
    const result = await runK6(k6!, 'stress', stack, { START_RATE: '40', STEP_RATE: '40', MAX_RATE: '200', STEP_DURATION: '2s', RAMP_DURATION: '1s', PRE_VUS: '10' });
    expect(result.status, `k6 exited ${result.status}\n${result.stdout}\n${result.stderr}`).toBe(0);
    const summary = result.summary!;
    expect(summary.steps.map((s) => s.rate)).toEqual([40, 80, 120, 160, 200]);
    expect(summary.steps[1]!.startMs - summary.steps[0]!.endMs).toBe(1_000);
    const from = summary.scenarioStartMs - 1_000;
    await settle(() => stack.countEvents(from, summary.endedAtMs + 1_000), summary.totals.requests);

    const out = join(stack.dir, 'calibration');
    const calibrate = spawnSync(process.execPath, [CALIBRATE, '--summary', result.summaryFile, '--events', stack.eventsFile, '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(calibrate.status, calibrate.stderr).toBe(0);
    expect(calibrate.stdout).toContain('lookout calibrate: stress run against load.test');
    const report = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8')) as { steps: ReportStep[]; span: { targetEvents: number }; recommendation: { yaml: string } | null };
    expect(report.span.targetEvents).toBe(summary.totals.requests);
    expect(report.steps).toHaveLength(5);
    for (const step of report.steps) {
      const k6Step = summary.steps.find((s) => s.label === step.label)!;
      // k6 tags a request with its step by its own clock, the proxy stamps arrival by its own:
      // a request sent in the last millisecond of a step may arrive in the next one.
      expect(Math.abs(step.events - k6Step.client.requests)).toBeLessThanOrEqual(2);
      expect(step.events).toBeGreaterThanOrEqual(Math.floor(step.rate * 2 * 0.9));
      expect(step.errors).toBe(0);
      expect(step.p99Ms).toBeGreaterThan(0);
    }
    expect(report.recommendation?.yaml).toContain('service: load');
    expect(readFileSync(join(out, 'calibration.svg'), 'utf8')).toContain('<svg');
  });
});
