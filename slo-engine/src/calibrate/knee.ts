/**
 * The knee of a latency-against-load curve: the arrival rate where latency starts rising faster
 * than linearly.
 *
 * Method ("departure from the linear trend"), on the steps in ascending rate:
 * 1. The trend of the steps so far is a straight line fitted by Theil–Sen (median of the
 *    pairwise slopes, median intercept; robust to one odd step such as a cold first step), its
 *    slope clamped at 0 (latency falling with load is noise, not a trend).
 * 2. Going up the steps from the fourth one (the trend needs three), a step *departs* when its latency exceeds the trend of
 *    all steps below it by more than `max(relativeTolerance × trend, absoluteToleranceMs)`
 *    (defaults 50 % and 1 ms). The departure counts only when the next step departs from that
 *    same trend too (or it is the last step), so a single noisy step is not a knee.
 * 3. The knee lies between the last step on the trend and the first departing one. Within that
 *    interval it is where the excess over the trend extrapolates to zero: the line through the
 *    excesses of the first two departing steps, followed back to excess 0 (when only one step
 *    departs or the excess does not grow, the line from the last step on the trend instead),
 *    clamped to the interval. For a curve that is linear up to K and steeper-linear after it
 *    this is K exactly; for a curving tail it lands between K and the first departing step.
 *
 * Undefined when fewer than four steps have a latency, or no step departs (no knee within
 * the tested range).
 */

/** One step: its arrival rate and its latency (e.g. p99, ms). */
export interface KneePoint {
  readonly rate: number;
  readonly latencyMs: number;
}

export interface KneeOptions {
  /** Share of the trend a step must exceed it by; default 0.5. */
  readonly relativeTolerance?: number;
  /** Minimum excess in ms; default 1. */
  readonly absoluteToleranceMs?: number;
}

/** A straight line `latency = intercept + slope × rate`. */
export interface Trend {
  readonly intercept: number;
  readonly slope: number;
}

export interface Knee {
  /** Estimated knee rate (requests per second). */
  readonly rate: number;
  /** Last step rate on the linear trend, and the first one above it. */
  readonly lastLinearRate: number;
  readonly firstDepartingRate: number;
  /** The trend the departure was measured against (steps below the first departing one). */
  readonly trend: Trend;
}

export const DEFAULT_KNEE_RELATIVE_TOLERANCE = 0.5;
export const DEFAULT_KNEE_ABSOLUTE_TOLERANCE_MS = 1;
/** Steps the first trend is fitted on. */
const MIN_TREND_STEPS = 3;

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? (values[middle] as number) : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}

/** Theil–Sen line through the points, slope clamped at 0. Needs at least one point. */
export function theilSenTrend(points: readonly KneePoint[]): Trend {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i] as KneePoint;
      const b = points[j] as KneePoint;
      if (b.rate !== a.rate) slopes.push((b.latencyMs - a.latencyMs) / (b.rate - a.rate));
    }
  }
  const slope = slopes.length === 0 ? 0 : Math.max(0, median(slopes));
  const intercept = median(points.map((p) => p.latencyMs - slope * p.rate));
  return { intercept, slope };
}

function at(trend: Trend, rate: number): number {
  return trend.intercept + trend.slope * rate;
}

/** Finds the knee of `points` (any order; equal rates are kept in order); see the module comment. */
export function findKnee(points: readonly KneePoint[], options: KneeOptions = {}): Knee | undefined {
  const relative = options.relativeTolerance ?? DEFAULT_KNEE_RELATIVE_TOLERANCE;
  const absolute = options.absoluteToleranceMs ?? DEFAULT_KNEE_ABSOLUTE_TOLERANCE_MS;
  const sorted = points.filter((p) => Number.isFinite(p.latencyMs)).sort((a, b) => a.rate - b.rate);
  const departs = (trend: Trend, p: KneePoint): boolean => {
    const expected = at(trend, p.rate);
    return p.latencyMs - expected > Math.max(relative * expected, absolute);
  };
  for (let i = MIN_TREND_STEPS; i < sorted.length; i++) {
    const trend = theilSenTrend(sorted.slice(0, i));
    const point = sorted[i] as KneePoint;
    const next = sorted[i + 1];
    if (!departs(trend, point) || (next !== undefined && !departs(trend, next))) continue;
    const last = sorted[i - 1] as KneePoint;
    const excess = (p: KneePoint): number => p.latencyMs - at(trend, p.rate);
    let rate: number;
    if (next !== undefined && excess(next) > excess(point) && next.rate > point.rate) {
      rate = point.rate - (excess(point) * (next.rate - point.rate)) / (excess(next) - excess(point));
    } else {
      const rise = excess(point) - excess(last);
      rate = rise > 0 ? last.rate + ((0 - excess(last)) * (point.rate - last.rate)) / rise : last.rate;
    }
    rate = Math.min(point.rate, Math.max(last.rate, rate));
    return { rate, lastLinearRate: last.rate, firstDepartingRate: point.rate, trend };
  }
  return undefined;
}
