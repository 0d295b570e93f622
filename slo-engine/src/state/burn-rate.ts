/**
 * Multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs"; slok/sloth
 * `internal/alert/windows/google-30d.yaml`). The tiers are data; the functions only scale and
 * decide.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The SLO window the reference table is written for. */
export const BURN_RATE_REFERENCE_WINDOW_MS = 30 * DAY;

/** One alert tier: fires when both windows burn at least `factor` times the sustainable rate. */
export interface BurnRateTier {
  readonly name: string;
  readonly severity: 'page' | 'ticket';
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  /** Burn rate both windows must reach. */
  readonly factor: number;
}

/**
 * The tiers for a 30-day SLO window, highest first. Each spends a fixed share of the budget over
 * its long window (14.4 x 1 h / 30 d = 2 %, 6 x 6 h = 5 %, 3 x 1 d = 10 %, 1 x 3 d = 10 %).
 */
export const BURN_RATE_TIERS_30D: readonly BurnRateTier[] = [
  { name: 'page-fast', severity: 'page', longWindowMs: HOUR, shortWindowMs: 5 * MINUTE, factor: 14.4 },
  { name: 'page-slow', severity: 'page', longWindowMs: 6 * HOUR, shortWindowMs: 30 * MINUTE, factor: 6 },
  { name: 'ticket-fast', severity: 'ticket', longWindowMs: DAY, shortWindowMs: 2 * HOUR, factor: 3 },
  { name: 'ticket-slow', severity: 'ticket', longWindowMs: 3 * DAY, shortWindowMs: 6 * HOUR, factor: 1 },
];

/**
 * The tiers for an SLO window: the windows scaled by `sloWindowMs / 30 d` (rounded to whole
 * seconds, at least one second), the factors unchanged, so each tier still spends the same
 * share of the budget. Ordered by factor, highest first.
 */
export function burnRateTiers(sloWindowMs: number, table: readonly BurnRateTier[] = BURN_RATE_TIERS_30D): BurnRateTier[] {
  const scale = sloWindowMs / BURN_RATE_REFERENCE_WINDOW_MS;
  const scaled = (ms: number): number => Math.max(1_000, Math.round((ms * scale) / 1_000) * 1_000);
  return table
    .map((tier) => ({ ...tier, longWindowMs: scaled(tier.longWindowMs), shortWindowMs: scaled(tier.shortWindowMs) }))
    .sort((a, b) => b.factor - a.factor);
}

/** Every window (ms) the tiers need a burn rate for, ascending. */
export function burnRateWindows(tiers: readonly BurnRateTier[]): number[] {
  return [...new Set(tiers.flatMap((tier) => [tier.longWindowMs, tier.shortWindowMs]))].sort((a, b) => a - b);
}

/** Burn rate over one window and the events it was computed from. */
export interface WindowBurn {
  readonly burnRate: number;
  readonly total: number;
}

/** The decision: the firing tier (undefined when none) and the lower tiers it suppressed. */
export interface BurnRateAlert {
  readonly firing: BurnRateTier | undefined;
  readonly suppressed: readonly BurnRateTier[];
}

/**
 * Which tier fires: a tier fires when its long and short windows both have a burn rate >= its
 * factor and at least `minTraffic` events each (the minimum-traffic guard: a handful of requests
 * must not page). The highest firing tier (by factor) wins and suppresses the lower firing ones.
 * A window missing from `burns` has no data: its tier does not fire.
 */
export function decideBurnRateAlert(tiers: readonly BurnRateTier[], burns: ReadonlyMap<number, WindowBurn>, minTraffic: number): BurnRateAlert {
  const fires = (windowMs: number, factor: number): boolean => {
    const burn = burns.get(windowMs);
    return burn !== undefined && burn.total >= minTraffic && burn.burnRate >= factor;
  };
  const firing = [...tiers]
    .sort((a, b) => b.factor - a.factor)
    .filter((tier) => fires(tier.longWindowMs, tier.factor) && fires(tier.shortWindowMs, tier.factor));
  return { firing: firing[0], suppressed: firing.slice(1) };
}
