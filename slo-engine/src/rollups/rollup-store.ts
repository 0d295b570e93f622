import type { MinuteCount, TimeRange } from '../events/event-source.ts';
import type { GoodTotal } from '../sli/level.ts';

/**
 * Per-minute good/total counts the engine keeps for each budget SLI, so that a 30-day window
 * costs O(minutes), not O(events). Keyed by the SLI's fingerprint (filter + indicator): an SLO
 * whose filter or indicator changes gets a new key and is rebuilt from raw events. Minutes are
 * epoch ms multiples of 60 000; `coverage` is the minute-aligned range already built.
 * Failures throw `EngineError('SLO_STATE_STORE_FAILED')` naming the store; a misaligned range,
 * or a write that would leave a hole in the coverage, throws a RangeError (a caller's bug).
 */
export interface RollupStore {
  /** The range of minutes built for `key`, or undefined when none. */
  coverage(key: string): Promise<TimeRange | undefined>;
  /**
   * Stores the minutes of `range` for `key` (replacing any stored there; minutes of the range
   * absent from `minutes` had no events) and extends the coverage to include `range`, which
   * must touch or overlap the current coverage.
   */
  write(key: string, range: TimeRange, minutes: readonly MinuteCount[]): Promise<void>;
  /** Sum of the stored minutes in the minute-aligned `range`. */
  sum(key: string, range: TimeRange): Promise<GoodTotal>;
  /** {@link sum} of each minute-aligned range, in order, in one round trip where the store allows. */
  sumRanges(key: string, ranges: readonly TimeRange[]): Promise<GoodTotal[]>;
  /** Deletes minutes of `key` before `before` and moves the coverage start up to it. */
  prune(key: string, before: number): Promise<void>;
  /** Forgets `key` entirely. */
  drop(key: string): Promise<void>;
  /** Every key that has rollups. */
  keys(): Promise<string[]>;
  /** Releases the connection (a client passed in by the caller stays open). */
  close(): Promise<void>;
}
