import { describe, expect, it } from 'vitest';
import { assessFlatness, fitLine } from './flatness.ts';

describe('fitLine', () => {
  it('finds the slope and intercept of points on a line, with no residual', () => {
    const fit = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.residualSd).toBeCloseTo(0, 12);
  });

  it('refuses fewer than three points, naming the count', () => {
    expect(() => fitLine([0, 1], [0, 1])).toThrow(/at least 3 samples, got 2/);
  });
});

describe('assessFlatness', () => {
  const minutes = Array.from({ length: 361 }, (_, i) => i / 12); // 30 min, one sample per 5 s
  // Deterministic noise of amplitude 3 around 120.
  const noise = minutes.map((_, i) => 3 * Math.sin(i * 1.7));

  it('calls a noisy but level series flat', () => {
    const flatness = assessFlatness(minutes, noise.map((n) => 120 + n), { from: 15, to: 30, floor: 4 });
    expect(flatness.flat).toBe(true);
    expect(Math.abs(flatness.rise)).toBeLessThan(flatness.bound);
  });

  it('calls a series that leaks 1 per minute in the second half not flat', () => {
    const flatness = assessFlatness(minutes, minutes.map((m, i) => 120 + m + noise[i]!), { from: 15, to: 30, floor: 4 });
    expect(flatness.flat).toBe(false);
    expect(flatness.rise).toBeCloseTo(15, 0);
  });

  it('ignores what happened before the window (warm-up growth)', () => {
    const warmUp = minutes.map((m, i) => (m < 10 ? 60 + 6 * m : 120) + noise[i]!);
    expect(assessFlatness(minutes, warmUp, { from: 15, to: 30, floor: 4 }).flat).toBe(true);
  });

  it('does not call a falling series a rise', () => {
    expect(assessFlatness(minutes, minutes.map((m) => 200 - 2 * m), { from: 15, to: 30, floor: 4 }).flat).toBe(true);
  });
});
