/**
 * The plain model of an SLO the engine works with: resolved from the spec (defaults applied,
 * durations in milliseconds), no validation logic, no I/O. Everything is JSON-serialisable.
 */

/** Which proxy request events count for an SLO. */
export interface SloFilter {
  /** `service.target.name` equals this. */
  readonly service?: string;
  /** `url.domain` equals this. */
  readonly host?: string;
  /** `url.path` starts with this. */
  readonly pathPrefix?: string;
}

/** Good = not 5xx and not a proxy-side failure. */
export interface AvailabilityIndicator {
  readonly type: 'availability';
}

/** Good = `event.duration` <= `thresholdMs`. */
export interface LatencyIndicator {
  readonly type: 'latency';
  readonly thresholdMs: number;
}

/** Metrics a threshold SLO can bound. */
export type ThresholdMetric = 'p50' | 'p95' | 'p99' | 'error-rate';

/** A metric over a short rolling window bounded by `limit` (ms, or a ratio for error-rate). */
export interface ThresholdIndicator {
  readonly type: 'threshold';
  readonly metric: ThresholdMetric;
  readonly limit: number;
  readonly windowMs: number;
}

/** Indicators whose objective is a share of good events (the level is the error budget consumed). */
export type BudgetIndicator = AvailabilityIndicator | LatencyIndicator;
export type Indicator = BudgetIndicator | ThresholdIndicator;

/** Level thresholds of the states, as shares (1 = 100 %). */
export interface StateThresholds {
  /** Back to green only when the level is at most this for the hold. */
  readonly green: number;
  /** Orange when the level is at least this for the hold. */
  readonly orange: number;
  /** Red when the level is at least this for the hold. */
  readonly red: number;
}

/** Who is notified: SLI owners on orange, SLO and SLI owners on red. */
export interface Owners {
  readonly sli: readonly string[];
  readonly slo: readonly string[];
}

interface SloCommon {
  readonly name: string;
  readonly description?: string;
  readonly filter: SloFilter;
  readonly states: StateThresholds;
  readonly holdMs: number;
  readonly owners: Owners;
  /** Minimum events per evaluation window for burn-rate alerts. */
  readonly minTraffic: number;
}

/** An objective on the share of good events over a rolling window (e.g. 99.9 % over 30 d). */
export interface BudgetSlo extends SloCommon {
  readonly kind: 'budget';
  readonly indicator: BudgetIndicator;
  readonly objective: number;
  readonly windowMs: number;
}

/** A bound on a metric over a short window (e.g. p99 <= 250 ms over 5 min). */
export interface ThresholdSlo extends SloCommon {
  readonly kind: 'threshold';
  readonly indicator: ThresholdIndicator;
  /** Same as `indicator.windowMs`. */
  readonly windowMs: number;
}

export type Slo = BudgetSlo | ThresholdSlo;
