import { describe, expect, it } from 'vitest';
import { validateSloSpecText } from '../spec/load-slo-spec.ts';
import { figureAt, niceCeil, recommend } from './recommendation.ts';
import type { StepFigures } from './step-figures.ts';

function step(rate: number, p99Ms: number, errors = 0, events = 10_000): StepFigures {
  return {
    label: String(rate),
    rate,
    seconds: 10,
    events,
    throughput: events / 10,
    errors,
    errorRate: errors / events,
    p50Ms: p99Ms / 3,
    p95Ms: p99Ms / 2,
    p99Ms,
    maxMs: p99Ms * 2,
    meanMs: p99Ms / 3,
    meanUpstreamMs: 1,
    meanOverheadMs: p99Ms / 3 - 1,
    client: { requests: events, failedRate: 0, p50Ms: null, p99Ms: null },
    eventsPerRequest: 1,
  };
}

describe('niceCeil', () => {
  it('rounds up to 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten', () => {
    expect([0.7, 1, 1.2, 7, 9.5, 10, 11, 47.59, 250, 0.0011].map(niceCeil)).toEqual([0.8, 1, 1.5, 8, 10, 10, 15, 50, 250, 0.0015]);
  });
});

describe('figureAt', () => {
  it('interpolates a step figure linearly in rate, clamped at the ends', () => {
    const steps = [step(1000, 10), step(2000, 20)];
    expect(figureAt(steps, 1500, (s) => s.p99Ms)).toBe(15);
    expect(figureAt(steps, 500, (s) => s.p99Ms)).toBe(10);
    expect(figureAt(steps, 3000, (s) => s.p99Ms)).toBe(20);
  });
});

describe('recommend', () => {
  const steps = [1000, 2000, 3000, 4000, 5000].map((r) => step(r, r < 4000 ? 5 : 40));
  const knee = { rate: 3600, lastLinearRate: 3000, firstDepartingRate: 4000, trend: { intercept: 5, slope: 0 } };

  it('keeps 20 % headroom below the first limit and sets the p99 bound so that the level there is green', () => {
    const rec = recommend({ steps, knee, saturation: undefined, sloLimits: [{ label: 'SLO x', rate: 4500 }], target: { service: 'api' }, comment: 'test' });
    expect(rec.firstLimit).toBe('the knee');
    expect(rec.maxSustainedRate).toBe(2800);
    expect(rec.expectedLevels.p99).toBeLessThanOrEqual(0.6);
    expect(rec.p99LimitMs).toBeGreaterThanOrEqual(figureAt(steps, 3600, (s) => s.p99Ms)!);
  });

  it('writes a spec the SLO engine accepts, with an objective the measured errors support', () => {
    const rec = recommend({ steps, knee, saturation: undefined, sloLimits: [], target: { service: 'My API' }, comment: 'calibrated' });
    const spec = validateSloSpecText(rec.yaml, 'recommended');
    expect(spec.slos.map((s) => s.name)).toEqual(['my-api-availability', 'my-api-latency', 'my-api-p99', 'my-api-error-rate']);
    // 0 errors in 30 000 events: 99.99 % would need 100 000 events to show 10 budget-worth of errors.
    expect(rec.availabilityObjective).toBe(0.999);
    expect(rec.errorRateLimit).toBe(0.01);
    expect(rec.yaml.startsWith('# calibrated\n')).toBe(true);
  });

  it('relaxes the objective when errors below the limit would eat the budget', () => {
    const noisy = steps.map((s) => step(s.rate, s.p99Ms!, 6)); // 0.06 %: within 10 % of a 1 % budget only
    expect(recommend({ steps: noisy, knee, saturation: undefined, sloLimits: [], target: { host: 'h' }, comment: 'c' }).availabilityObjective).toBe(0.99);
  });

  it('says so when no limit was reached', () => {
    const flat = steps.map((s) => step(s.rate, 5));
    const rec = recommend({ steps: flat, knee: undefined, saturation: undefined, sloLimits: [], target: { host: 'h' }, comment: 'c' });
    expect(rec.firstLimitRate).toBeUndefined();
    expect(rec.maxSustainedRate).toBe(4000);
    expect(rec.reasons[0]).toContain('no limit within the tested range');
  });
});
