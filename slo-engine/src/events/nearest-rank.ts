import type { ThresholdMetric } from '../model/slo.ts';

/** The fraction of each percentile metric (p99 -> 0.99), as `thresholdSli` in sli/level.ts reads it. */
export const PERCENTILE_FRACTIONS: Readonly<Record<Exclude<ThresholdMetric, 'error-rate'>, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/**
 * The 1-based rank that `percentile` (sli/level.ts) picks out of `count` ascending values:
 * `max(1, ceil(p * count - 1e-9))`. Stores that cannot sort the whole population in memory
 * find the value at this rank instead.
 */
export function nearestRank(p: number, count: number): number {
  if (!(p > 0 && p <= 1)) throw new RangeError(`percentile must be in (0, 1], got ${p}`);
  return Math.max(1, Math.ceil(p * count - 1e-9));
}

/** `event.duration` (ns) as the threshold SLI reports it (ms, the same division as sli/level.ts). */
export function durationMs(durationNs: number): number {
  return durationNs / 1_000_000;
}
