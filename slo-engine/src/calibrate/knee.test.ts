import { describe, expect, it } from 'vitest';
import { findKnee, theilSenTrend, type KneePoint } from './knee.ts';

const curve = (rates: number[], latency: (rate: number) => number): KneePoint[] => rates.map((rate) => ({ rate, latencyMs: latency(rate) }));
const RATES = Array.from({ length: 12 }, (_, i) => 500 * (i + 1));

describe('findKnee', () => {
  it('finds a slope break exactly, between two steps', () => {
    const knee = findKnee(curve(RATES, (r) => 2 + 0.001 * r + (r > 3700 ? 0.02 * (r - 3700) : 0)));
    expect(knee?.rate).toBeCloseTo(3700, 6);
    expect(knee).toMatchObject({ lastLinearRate: 3500, firstDepartingRate: 4000 });
  });

  it('finds no knee on a straight line, however steep', () => {
    expect(findKnee(curve(RATES, (r) => 1 + 0.05 * r))).toBeUndefined();
  });

  it('ignores a single noisy step that the next step does not confirm', () => {
    const points = curve(RATES, (r) => 2 + 0.001 * r);
    points[5] = { rate: 3000, latencyMs: 50 };
    expect(findKnee(points)).toBeUndefined();
  });

  it('is not thrown off by a slow first step (cold start)', () => {
    const points = curve(RATES, (r) => 2 + 0.001 * r + (r > 4200 ? 0.02 * (r - 4200) : 0));
    points[0] = { rate: 500, latencyMs: 40 };
    expect(findKnee(points)?.rate).toBeCloseTo(4200, 6);
  });

  it('accepts a departure at the last step (a run that ended at its breaking step)', () => {
    const knee = findKnee(curve([500, 1000, 1500, 2000, 2500], (r) => (r < 2500 ? 2 : 30)));
    expect(knee).toMatchObject({ lastLinearRate: 2000, firstDepartingRate: 2500 });
  });

  it('places the knee of a curving (quadratic) tail between the true start and the first departing step', () => {
    const knee = findKnee(curve(RATES, (r) => 2 + 0.001 * r + 5e-5 * Math.max(0, r - 3200) ** 2))!;
    expect(knee.rate).toBeGreaterThanOrEqual(3200);
    expect(knee.rate).toBeLessThanOrEqual(knee.firstDepartingRate);
    expect(Math.abs(knee.rate - 3200) / 3200).toBeLessThan(0.1);
  });

  it('needs four steps with a latency', () => {
    expect(findKnee(curve([1, 2, 3], (r) => r ** 4))).toBeUndefined();
  });

  it('honours the tolerances', () => {
    const points = curve(RATES, (r) => 10 + (r > 3000 ? 0.002 * (r - 3000) : 0));
    expect(findKnee(points)).toBeUndefined(); // at most +6 ms on 10 ms: within 50 %
    expect(findKnee(points, { relativeTolerance: 0.05, absoluteToleranceMs: 0.5 })?.rate).toBeCloseTo(3000, 6);
  });
});

describe('theilSenTrend', () => {
  it('fits a line through points, robust to one outlier, slope never below 0', () => {
    const trend = theilSenTrend([
      { rate: 1, latencyMs: 2 },
      { rate: 2, latencyMs: 3 },
      { rate: 3, latencyMs: 100 },
      { rate: 4, latencyMs: 5 },
      { rate: 5, latencyMs: 6 },
    ]);
    expect(trend.slope).toBeCloseTo(1, 6);
    expect(trend.intercept).toBeCloseTo(1, 6);
    expect(theilSenTrend([{ rate: 1, latencyMs: 5 }, { rate: 2, latencyMs: 3 }]).slope).toBe(0);
  });
});
