import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, k6Binary } from '../src/k6-binary.ts';
import { runK6, settle, startTestStack, type TestStack } from './test-stack.ts';

const k6 = k6Binary();

describe('k6 smoke profile against the real stack', () => {
  it('has k6 (LOOKOUT_K6 or the scripts/install-k6.sh cache)', () => {
    if (k6 === undefined && !IN_CI) return;
    expect(k6, 'k6 not found: set LOOKOUT_K6 or run scripts/install-k6.sh').toBeDefined();
  });

  describe.skipIf(k6 === undefined && !IN_CI)('with k6', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('passes, writes its summary, and every request leaves one event in the proxy', async () => {
      const result = await runK6(k6!, 'smoke', stack, { RATE: '20', DURATION: '3s' });
      expect(result.status, `k6 exited ${result.status}\n${result.stdout}\n${result.stderr}`).toBe(0);
      const summary = result.summary!;
      expect(summary).toMatchObject({ format: 'lookout-k6-summary', version: 1, profile: 'smoke', passed: true });
      // 20/s for 3 s: 60 iterations, plus the one k6 starts at the very end of the window.
      expect(summary.totals.requests).toBeGreaterThanOrEqual(58);
      expect(summary.totals.requests).toBeLessThanOrEqual(61);
      expect(summary.totals).toMatchObject({ failed: 0, failedRate: 0, droppedIterations: 0, checksRate: 1 });
      expect(summary.totals.p99Ms).toBeGreaterThan(0);
      expect(summary.thresholds.map((t) => t.metric).sort()).toEqual(['checks', 'http_req_duration', 'http_req_failed']);
      expect(summary.thresholds.every((t) => t.ok)).toBe(true);
      expect(summary.steps).toHaveLength(1);
      expect(summary.steps[0]!.endMs - summary.steps[0]!.startMs).toBe(3_000);
      expect(summary.steps[0]!.client.requests).toBeGreaterThanOrEqual(58);
      expect(result.stdout).toContain('thresholds passed');

      const from = summary.scenarioStartMs - 1_000;
      const to = summary.endedAtMs + 1_000;
      expect(await settle(() => stack.countEvents(from, to), summary.totals.requests)).toBe(summary.totals.requests);
    });

    it('fails (exit 99) when a threshold is broken: every request slowed past SLO_P99_MS', async () => {
      const result = await runK6(k6!, 'smoke', stack, { RATE: '10', DURATION: '1s', SLO_P99_MS: '20', TARGET_HEADERS: '{"x-echo-delay-ms":"40"}' });
      expect(result.status).toBe(99);
      expect(result.summary!.passed).toBe(false);
      expect(result.summary!.thresholds).toContainEqual({ metric: 'http_req_duration', threshold: 'p(99)<=20', ok: false });
    });
  });
});
