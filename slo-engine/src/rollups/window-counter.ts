import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EventSource, TimeRange } from '../events/event-source.ts';
import { ceilMinute, floorMinute, MINUTE_MS } from '../events/minute.ts';
import type { BudgetIndicator, SloFilter } from '../model/slo.ts';
import type { GoodTotal } from '../sli/level.ts';
import type { RollupStore } from './rollup-store.ts';
import { sliFingerprint } from './sli-fingerprint.ts';

/** A budget SLI: which events count and which of them are good. */
export interface BudgetSli {
  readonly filter: SloFilter;
  readonly indicator: BudgetIndicator;
}

/** A budget SLI in use and the longest window it is counted over. */
export interface SliInUse {
  readonly sli: BudgetSli;
  readonly windowMs: number;
}

/** Options of {@link WindowCounter}. */
export interface WindowCounterOptions {
  readonly source: EventSource;
  readonly rollups: RollupStore;
  /**
   * Minutes that ended less than this long ago are read raw, never rolled up: their events may
   * still be arriving (batching, Elasticsearch refresh, a spool replaying). Default 5 min.
   */
  readonly settleMs?: number;
  /** Span of one `countPerMinute` call while building, ms. Default one day. */
  readonly buildChunkMs?: number;
  /**
   * Roll up newly settled minutes only once this many have gathered (they are counted raw until
   * then). 0 (default) rolls up every minute. On Elasticsearch, where each rollup write costs a
   * refresh, 5 minutes cuts those writes five-fold for a raw tail of up to ~10 minutes.
   */
  readonly extendEveryMs?: number;
}

/** What one {@link WindowCounter.reconcile} did, for logs and metrics. */
export interface ReconcileReport {
  /** Keys in use whose rolled-up minutes within the horizon were re-counted. */
  readonly keys: number;
  /** Rolled-up minutes re-counted from raw events, all keys together. */
  readonly minutes: number;
  /** Minutes of the ranges rewritten because their recount differed from what was stored. */
  readonly rewrittenMinutes: number;
  /** Events the rewritten ranges gained: their new total minus their old total. */
  readonly addedEvents: number;
  /** Keys whose reconcile failed (the others were reconciled), each with its error. */
  readonly failures: readonly { readonly key: string; readonly error: unknown }[];
}

/** What a count did, for logs and metrics. */
export interface CounterStats {
  /** Minutes of rollups built from raw events (calls of countPerMinute over them). */
  builtMinutes: number;
  buildCalls: number;
  /** Queries: rollup sums and raw ranges. */
  rollupQueries: number;
  rawQueries: number;
}

/** How one range is counted: whole settled minutes from rollups, the rest (edges, tail) raw. */
interface RangePlan {
  readonly rollup: TimeRange | undefined;
  readonly raw: readonly TimeRange[];
}

const DEFAULT_SETTLE_MS = 5 * MINUTE_MS;
const DEFAULT_BUILD_CHUNK_MS = 24 * 60 * MINUTE_MS;

/**
 * Exact good/total of a budget SLI over any range at `now`, in O(minutes): the whole minutes
 * of the range that ended more than `settleMs` before `now` are summed from per-minute rollups;
 * the partial minutes at the edges and the unsettled tail are counted from raw events. Both
 * follow `sli/level.ts` to the event, so the sum equals a brute-force count exactly.
 *
 * Rollups are keyed by {@link sliFingerprint} and built on demand through
 * `EventSource.countPerMinute`: the first count builds back to the start of the longest window
 * declared in {@link retain} (or of the range asked), later counts only extend them by the
 * minutes that have settled since (about one per minute). An SLO whose filter or indicator
 * changes gets a new key and is rebuilt from raw events; {@link retain} drops keys no SLO uses
 * and prunes minutes older than the longest window.
 *
 * Per count: one coverage read, at most one per-minute read of the newly settled minutes (and
 * its write), one rollup sum over every range, one raw count over every edge.
 *
 * Events that reach the store later than `settleMs` after their minute ended (a proxy's spool
 * replaying after an Elasticsearch outage: events keep their `@timestamp`) are missing from the
 * minutes already rolled up until {@link reconcile} re-counts those minutes from raw events; the
 * engine calls it every `reconcile.every` over `reconcile.horizon`. An event whose minute has
 * left the horizon before the next reconcile (it arrived more than `horizon - every` after its
 * minute, and always beyond `horizon`) stays missing from the rollups while the minute is in a
 * window.
 */
export class WindowCounter {
  readonly settleMs: number;
  readonly stats: CounterStats = { builtMinutes: 0, buildCalls: 0, rollupQueries: 0, rawQueries: 0 };
  readonly #source: EventSource;
  readonly #rollups: RollupStore;
  readonly #buildChunkMs: number;
  readonly #extendEveryMs: number;
  /** The SLIs declared by retain(), by key, with their longest window (where a first build starts). */
  #inUse = new Map<string, SliInUse>();
  /** One build, prune or reconcile at a time per key. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(options: WindowCounterOptions) {
    this.#source = options.source;
    this.#rollups = options.rollups;
    this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#buildChunkMs = Math.max(MINUTE_MS, floorMinute(options.buildChunkMs ?? DEFAULT_BUILD_CHUNK_MS));
    this.#extendEveryMs = Math.max(0, options.extendEveryMs ?? 0);
  }

  /** Good/total of `sli` over `[range.from, range.to)` as known at `now`. */
  async count(sli: BudgetSli, range: TimeRange, now: number): Promise<GoodTotal> {
    const [counts] = await this.countRanges(sli, [range], now);
    return counts!;
  }

  /** {@link count} over several ranges at once (e.g. an SLO window and its burn-rate windows). */
  async countRanges(sli: BudgetSli, ranges: readonly TimeRange[], now: number): Promise<GoodTotal[]> {
    const key = sliFingerprint(sli.filter, sli.indicator);
    const settled = floorMinute(now - this.settleMs);
    let plans = ranges.map((range) => plan(range, settled));
    let rolled = plans.flatMap((p) => (p.rollup === undefined ? [] : [p.rollup]));
    if (rolled.length > 0) {
      const need = { from: Math.min(...rolled.map((r) => r.from)), to: Math.max(...rolled.map((r) => r.to)) };
      const rolledTo = await this.#withLock(key, () => this.#ensure(key, sli, need, settled, now));
      if (rolledTo < settled) {
        // Minutes not rolled up yet (extendEveryMs) are counted raw like the unsettled tail.
        plans = ranges.map((range) => plan(range, rolledTo));
        rolled = plans.flatMap((p) => (p.rollup === undefined ? [] : [p.rollup]));
      }
    }
    const rawRanges = distinct(plans.flatMap((p) => p.raw));
    const [sums, raws] = await Promise.all([
      rolled.length === 0 ? [] : (this.stats.rollupQueries++, this.#rollups.sumRanges(key, rolled)),
      rawRanges.length === 0 ? [] : (this.stats.rawQueries++, this.#source.countGoodTotalRanges(sli.filter, sli.indicator, rawRanges)),
    ]);
    const rawByRange = new Map(rawRanges.map((range, i) => [rangeId(range), raws[i]!]));
    let next = 0;
    return plans.map((p) => {
      let good = 0;
      let total = 0;
      if (p.rollup !== undefined) {
        const sum = sums[next++]!;
        good += sum.good;
        total += sum.total;
      }
      for (const range of p.raw) {
        const raw = rawByRange.get(rangeId(range))!;
        good += raw.good;
        total += raw.total;
      }
      return { good, total };
    });
  }

  /**
   * Declares the SLIs in use and their longest windows: forgets the rollups of every other key,
   * prunes minutes older than `now - windowMs`, and makes first builds start there. Call it when
   * the SLOs are loaded or changed (and now and then, to prune). Returns the dropped keys.
   */
  async retain(inUse: readonly SliInUse[], now: number): Promise<string[]> {
    const byKey = new Map<string, SliInUse>();
    for (const { sli, windowMs } of inUse) {
      const key = sliFingerprint(sli.filter, sli.indicator);
      byKey.set(key, { sli, windowMs: Math.max(byKey.get(key)?.windowMs ?? 0, windowMs) });
    }
    this.#inUse = byKey;
    const dropped: string[] = [];
    for (const key of await this.#rollups.keys()) {
      const windowMs = byKey.get(key)?.windowMs;
      if (windowMs === undefined) {
        await this.#withLock(key, () => this.#rollups.drop(key));
        dropped.push(key);
      } else {
        await this.#withLock(key, () => this.#rollups.prune(key, floorMinute(now - windowMs)));
      }
    }
    return dropped;
  }

  /**
   * Re-counts from raw events the rolled-up minutes of the last `horizonMs` of every key declared
   * by {@link retain}, so that events which arrived after their minute was rolled up are counted.
   * Per key, under the lock builds take: one rollup sum and one `countPerMinute` per chunk of the
   * horizon (`buildChunkMs`), and a rewrite of the chunk only when the recount differs from the
   * stored sum (events are only ever added, so equal sums mean equal minutes). Never extends the
   * coverage: minutes not rolled up yet are left to the next count. A key that fails is reported
   * in `failures`; the others are reconciled all the same.
   */
  async reconcile(horizonMs: number, now: number): Promise<ReconcileReport> {
    const report = { keys: 0, minutes: 0, rewrittenMinutes: 0, addedEvents: 0, failures: [] as { key: string; error: unknown }[] };
    const since = floorMinute(now - horizonMs);
    for (const [key, { sli }] of this.#inUse) {
      try {
        await this.#withLock(key, () => this.#reconcileKey(key, sli, since, report));
      } catch (error) {
        report.failures.push({ key, error });
      }
    }
    return report;
  }

  /**
   * Makes the rollups of `key` cover `need` (whole settled minutes) and extends them up to
   * `settled` (or leaves them short of it by less than extendEveryMs). Returns where they end.
   */
  async #ensure(key: string, sli: BudgetSli, need: TimeRange, settled: number, now: number): Promise<number> {
    let coverage = await this.#rollups.coverage(key);
    if (coverage !== undefined && (coverage.to < need.from - this.#extendEveryMs || coverage.from > need.to)) {
      // A gap between the stored minutes and the ones needed (the engine was stopped for long): start afresh.
      await this.#rollups.drop(key);
      coverage = undefined;
    }
    if (coverage === undefined) {
      const windowMs = this.#inUse.get(key)?.windowMs;
      const from = Math.min(need.from, windowMs === undefined ? need.from : floorMinute(now - windowMs));
      await this.#buildForward(key, sli, from, settled);
      return settled;
    }
    let to = coverage.to;
    if (to < settled - this.#extendEveryMs || to < need.from) {
      await this.#buildForward(key, sli, to, settled);
      to = settled;
    }
    if (need.from < coverage.from) await this.#buildBackward(key, sli, need.from, coverage.from);
    return to;
  }

  async #buildForward(key: string, sli: BudgetSli, from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += this.#buildChunkMs) {
      await this.#build(key, sli, { from: start, to: Math.min(to, start + this.#buildChunkMs) });
    }
  }

  async #buildBackward(key: string, sli: BudgetSli, from: number, to: number): Promise<void> {
    for (let end = to; end > from; end -= this.#buildChunkMs) {
      await this.#build(key, sli, { from: Math.max(from, end - this.#buildChunkMs), to: end });
    }
  }

  /** Re-counts the rolled-up minutes of `key` from `since` on, chunk by chunk, into `report`. */
  async #reconcileKey(key: string, sli: BudgetSli, since: number, report: { keys: number; minutes: number; rewrittenMinutes: number; addedEvents: number }): Promise<void> {
    const coverage = await this.#rollups.coverage(key);
    if (coverage === undefined || coverage.to <= since) return;
    report.keys++;
    for (let start = Math.max(since, coverage.from); start < coverage.to; start += this.#buildChunkMs) {
      const range = { from: start, to: Math.min(coverage.to, start + this.#buildChunkMs) };
      const stored = await this.#rollups.sum(key, range);
      const minutes = await this.#source.countPerMinute(sli.filter, sli.indicator, range);
      const recounted = sumMinutes(minutes);
      report.minutes += (range.to - range.from) / MINUTE_MS;
      if (recounted.good !== stored.good || recounted.total !== stored.total) {
        await this.#rollups.write(key, range, minutes);
        report.rewrittenMinutes += (range.to - range.from) / MINUTE_MS;
        report.addedEvents += recounted.total - stored.total;
      }
      await yieldToEventLoop();
    }
  }

  async #build(key: string, sli: BudgetSli, range: TimeRange): Promise<void> {
    const minutes = await this.#source.countPerMinute(sli.filter, sli.indicator, range);
    await this.#rollups.write(key, range, minutes);
    this.stats.buildCalls++;
    this.stats.builtMinutes += (range.to - range.from) / MINUTE_MS;
    // A synchronous store (SQLite) would hold the event loop for a whole 30-day build otherwise.
    await yieldToEventLoop();
  }

  async #withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => undefined);
    this.#locks.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }
}

/** Splits `range`: whole minutes before `settled` from rollups, the rest raw. */
function plan(range: TimeRange, settled: number): RangePlan {
  if (range.to <= range.from) return { rollup: undefined, raw: [] };
  const from = ceilMinute(range.from);
  const to = Math.min(floorMinute(range.to), settled);
  if (from >= to) return { rollup: undefined, raw: [range] };
  const raw: TimeRange[] = [];
  if (range.from < from) raw.push({ from: range.from, to: from });
  if (to < range.to) raw.push({ from: to, to: range.to });
  return { rollup: { from, to }, raw };
}

function sumMinutes(minutes: readonly GoodTotal[]): GoodTotal {
  let good = 0;
  let total = 0;
  for (const minute of minutes) {
    good += minute.good;
    total += minute.total;
  }
  return { good, total };
}

function rangeId(range: TimeRange): string {
  return `${range.from}:${range.to}`;
}

function distinct(ranges: readonly TimeRange[]): TimeRange[] {
  const seen = new Map<string, TimeRange>();
  for (const range of ranges) seen.set(rangeId(range), range);
  return [...seen.values()];
}
