/**
 * The highest arrival rate at which an SLO still holds, from its level per step (the level the
 * engine would compute if that step's load were sustained: 1 = at the objective).
 *
 * The SLO holds at a step when its level is at most 1. The limit is taken from the bottom: the
 * highest step such that it and every step below it hold. Between that step and the next
 * (failing) one the level is interpolated linearly in rate to where it reaches 1.
 */

/** One step's rate and the SLO's level there; undefined = no events of the SLO in the step. */
export interface LevelPoint {
  readonly rate: number;
  readonly level: number | undefined;
}

export type SloLimit =
  /** Holds at every tested step: the limit is above the range (at least `rate`). */
  | { readonly kind: 'above-range'; readonly rate: number }
  /** Fails already at the lowest tested step (`rate`). */
  | { readonly kind: 'below-range'; readonly rate: number }
  /** Holds up to `lastHoldingRate`, fails at `firstFailingRate`; `rate` is the interpolated crossing. */
  | { readonly kind: 'within-range'; readonly rate: number; readonly lastHoldingRate: number; readonly firstFailingRate: number }
  /** No step has events of the SLO. */
  | { readonly kind: 'no-data' };

export function sloLimit(points: readonly LevelPoint[]): SloLimit {
  const sorted = points.filter((p): p is { rate: number; level: number } => p.level !== undefined && Number.isFinite(p.level)).sort((a, b) => a.rate - b.rate);
  const first = sorted[0];
  if (first === undefined) return { kind: 'no-data' };
  if (first.level > 1) return { kind: 'below-range', rate: first.rate };
  for (let i = 1; i < sorted.length; i++) {
    const point = sorted[i] as { rate: number; level: number };
    if (point.level <= 1) continue;
    const last = sorted[i - 1] as { rate: number; level: number };
    const rate = point.level === last.level ? last.rate : last.rate + ((1 - last.level) * (point.rate - last.rate)) / (point.level - last.level);
    return { kind: 'within-range', rate: Math.min(point.rate, Math.max(last.rate, rate)), lastHoldingRate: last.rate, firstFailingRate: point.rate };
  }
  return { kind: 'above-range', rate: (sorted[sorted.length - 1] as { rate: number }).rate };
}
