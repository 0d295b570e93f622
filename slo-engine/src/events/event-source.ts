import type { BudgetIndicator, SloFilter, ThresholdIndicator } from '../model/slo.ts';
import type { GoodTotal } from '../sli/level.ts';

/** A half-open time range `[from, to)` in epoch milliseconds. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** Good and total of one minute `[minute, minute + 60 s)`. */
export interface MinuteCount extends GoodTotal {
  /** Start of the minute, epoch ms, a multiple of 60 000. */
  readonly minute: number;
}

/** A threshold SLI over a range and the population it was computed from. */
export interface ThresholdResult {
  /** Latency percentile in ms (nearest rank, exact), or error rate in [0, 1]; undefined when `total` is 0. */
  readonly sli: number | undefined;
  readonly total: number;
}

/** The services and hosts the events of a range carry. */
export interface EventTargets {
  readonly services: readonly string[];
  readonly hosts: readonly string[];
}

/**
 * Read access to the proxy's raw request events, the same contract for the embedded SQLite
 * file and Elasticsearch. Every count is exact and follows `sli/level.ts` to the event:
 * probes never count, the filter selects the population, availability and latency "good" are
 * `isAvailable` and `isFastEnough` (duration compared in ns, any threshold), ranges are
 * `[from, to)` on `@timestamp`. Failures throw an `EngineError` (`SLO_STORE_UNREACHABLE`,
 * `SLO_STORE_NOT_INITIALISED`, `SLO_STORE_QUERY_FAILED`) naming the store.
 */
export interface EventSource {
  readonly kind: 'embedded' | 'elasticsearch';
  /** Where the events are, for messages: the SQLite path or the ES URL and index. */
  readonly location: string;
  /** Good and total of a budget indicator over the range. */
  countGoodTotal(filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): Promise<GoodTotal>;
  /**
   * Good and total over each of `ranges`, in their order, in one round trip where the store
   * allows it (one Elasticsearch search; one SQLite read transaction). The rollup reader's raw
   * edges (partial minutes, the unsettled tail) of every window of an SLO come in one call.
   */
  countGoodTotalRanges(filter: SloFilter, indicator: BudgetIndicator, ranges: readonly TimeRange[]): Promise<GoodTotal[]>;
  /** Per-minute good and total over a minute-aligned range, ascending; minutes without events left out. */
  countPerMinute(filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): Promise<MinuteCount[]>;
  /** The SLI of a threshold indicator over the range, exact. */
  thresholdSli(filter: SloFilter, indicator: ThresholdIndicator, range: TimeRange): Promise<ThresholdResult>;
  /** Distinct `service.target.name` and `url.domain` values over the range (probes included). */
  targets(range: TimeRange): Promise<EventTargets>;
  close(): Promise<void>;
}
