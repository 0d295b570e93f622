import type { EventSource } from '../events/event-source.ts';
import type { BudgetSlo, Slo, ThresholdSlo } from '../model/slo.ts';
import { budgetLevel, burnRate, thresholdLevel, type GoodTotal } from '../sli/level.ts';
import { burnRateTiers, decideBurnRateAlert, type BurnRateAlert, type WindowBurn } from '../state/burn-rate.ts';

/** Good/total over a budget SLO's window and over each burn-rate window (keyed by window ms). */
export interface BudgetCounts {
  readonly window: GoodTotal;
  readonly burnWindows: ReadonlyMap<number, GoodTotal>;
}

/** Counts a budget SLO's windows at `now` (rollups plus raw edges, exact). */
export type CountBudgetWindows = (slo: BudgetSlo, now: number) => Promise<BudgetCounts>;

/** The burn rate over one alert window. */
export interface WindowBurnRate extends WindowBurn {
  readonly windowMs: number;
}

/** Everything one evaluation of one SLO found. */
export interface SloEvaluation {
  readonly at: number;
  /** Budget consumed, or SLI / limit; undefined when the window has no events (NODATA). */
  readonly level: number | undefined;
  /** Events in the window. */
  readonly total: number;
  /** Good events in the window (budget SLOs). */
  readonly good: number | undefined;
  /** good / total (budget SLOs), or the metric in ms or as a ratio (threshold SLOs). */
  readonly sli: number | undefined;
  /** 1 - level (budget SLOs; negative when overspent); null for threshold SLOs or without data. */
  readonly budgetRemaining: number | null;
  /** Burn rate per alert window, shortest first (budget SLOs). */
  readonly burnRates: readonly WindowBurnRate[];
  /** Burn rate over the shortest alert window, the "current" burn. */
  readonly currentBurnRate: number | null;
  /** Seconds until the budget is gone at the current burn; null when not burning or not applicable. */
  readonly timeToExhaustionSeconds: number | null;
  /** Burn-rate alert decision (budget SLOs). */
  readonly alert: BurnRateAlert | undefined;
}

/** Evaluates one SLO at `now`. Store failures propagate (the caller isolates them per SLO). */
export async function evaluateSlo(slo: Slo, now: number, source: EventSource, countBudget: CountBudgetWindows): Promise<SloEvaluation> {
  return slo.kind === 'threshold' ? evaluateThreshold(slo, now, source) : evaluateBudget(slo, now, countBudget);
}

async function evaluateThreshold(slo: ThresholdSlo, now: number, source: EventSource): Promise<SloEvaluation> {
  const result = await source.thresholdSli(slo.filter, slo.indicator, { from: now - slo.windowMs, to: now });
  const level = result.total === 0 ? undefined : thresholdLevel(result.sli, slo.indicator.limit);
  return {
    at: now,
    level,
    total: result.total,
    good: undefined,
    sli: result.sli,
    budgetRemaining: null,
    burnRates: [],
    currentBurnRate: null,
    timeToExhaustionSeconds: null,
    alert: undefined,
  };
}

async function evaluateBudget(slo: BudgetSlo, now: number, countBudget: CountBudgetWindows): Promise<SloEvaluation> {
  const counts = await countBudget(slo, now);
  const level = budgetLevel(counts.window, slo.objective);
  const burnRates: WindowBurnRate[] = [];
  const burns = new Map<number, WindowBurn>();
  for (const [windowMs, windowCounts] of [...counts.burnWindows].sort((a, b) => a[0] - b[0])) {
    const rate = burnRate(windowCounts, slo.objective);
    if (rate === undefined) continue;
    const burn = { burnRate: rate, total: windowCounts.total };
    burns.set(windowMs, burn);
    burnRates.push({ windowMs, ...burn });
  }
  const tiers = burnRateTiers(slo.windowMs);
  const currentBurnRate = burnRates[0]?.burnRate ?? null;
  const budgetRemaining = level === undefined ? null : 1 - level;
  return {
    at: now,
    level,
    total: counts.window.total,
    good: counts.window.good,
    sli: counts.window.total === 0 ? undefined : counts.window.good / counts.window.total,
    budgetRemaining,
    burnRates,
    currentBurnRate,
    timeToExhaustionSeconds: timeToExhaustion(budgetRemaining, currentBurnRate, slo.windowMs),
    alert: decideBurnRateAlert(tiers, burns, slo.minTraffic),
  };
}

/**
 * At burn rate `b` the budget of a window W lasts W / b; what is left of it (a share `r`) lasts
 * r * W / b. 0 when nothing is left; null when nothing burns.
 */
export function timeToExhaustion(budgetRemaining: number | null, burn: number | null, windowMs: number): number | null {
  if (budgetRemaining === null || burn === null || burn <= 0) return null;
  if (budgetRemaining <= 0) return 0;
  return Math.round((budgetRemaining * windowMs) / burn / 1_000);
}
