import type { BudgetSlo } from '../model/slo.ts';
import type { SliInUse, WindowCounter } from '../rollups/window-counter.ts';
import type { GoodTotal } from '../sli/level.ts';
import { burnRateTiers, burnRateWindows } from '../state/burn-rate.ts';

/** Good/total over a budget SLO's window and over each of its burn-rate windows (keyed by window ms). */
export interface BudgetWindowCounts {
  readonly window: GoodTotal;
  readonly burnWindows: ReadonlyMap<number, GoodTotal>;
}

/** The burn-rate windows of a budget SLO (ms, ascending): its tiers scaled to its window. */
export function budgetBurnWindows(slo: BudgetSlo): number[] {
  return burnRateWindows(burnRateTiers(slo.windowMs));
}

/**
 * Counts a budget SLO at `now` over `[now - windowMs, now)` and over every burn-rate window
 * `[now - w, now)`, exactly, in one {@link WindowCounter.countRanges} call: the windows share
 * one coverage read, one rollup sum and one raw count of their edges (plus, about once a minute,
 * the per-minute read of the newly settled minute).
 *
 * @example
 * const counts = await countBudgetWindows(counter, slo, Date.now());
 * budgetLevel(counts.window, slo.objective);
 */
export async function countBudgetWindows(counter: WindowCounter, slo: BudgetSlo, now: number): Promise<BudgetWindowCounts> {
  const burnWindows = budgetBurnWindows(slo);
  const windows = [slo.windowMs, ...burnWindows];
  const counts = await counter.countRanges(
    { filter: slo.filter, indicator: slo.indicator },
    windows.map((windowMs) => ({ from: now - windowMs, to: now })),
    now,
  );
  return {
    window: counts[0]!,
    burnWindows: new Map(burnWindows.map((windowMs, i) => [windowMs, counts[i + 1]!])),
  };
}

/**
 * What the budget SLOs need kept: each SLI with its longest window (the SLO window or a longer
 * burn-rate window). Pass it to {@link WindowCounter.retain} when the SLOs are loaded or changed.
 */
export function budgetSlisInUse(slos: readonly BudgetSlo[]): SliInUse[] {
  return slos.map((slo) => ({
    sli: { filter: slo.filter, indicator: slo.indicator },
    windowMs: Math.max(slo.windowMs, ...budgetBurnWindows(slo)),
  }));
}
