import type { RequestEvent } from '@lookout/telemetry';
import { expect, test } from 'vitest';
import { EngineError } from '../src/engine-error.ts';
import type { EventSource, TimeRange } from '../src/events/event-source.ts';
import { ceilMinute, floorMinute } from '../src/events/minute.ts';
import { countBudgetWindows, budgetBurnWindows } from '../src/engine/budget-windows.ts';
import type { BudgetSlo } from '../src/model/slo.ts';
import type { RollupStore } from '../src/rollups/rollup-store.ts';
import { sliFingerprint } from '../src/rollups/sli-fingerprint.ts';
import { WindowCounter, type BudgetSli } from '../src/rollups/window-counter.ts';
import { countGoodTotal } from '../src/sli/level.ts';
import { seededEvents, seededRandom } from './event-source-fixture.ts';
import { watchedEventSource } from './watched-event-source.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const COUNTER_FROM = Date.UTC(2026, 0, 22, 6, 0);

/** A fresh event store and rollup store, and a way to append events to the former. */
export interface CounterStores {
  readonly source: EventSource;
  readonly rollups: RollupStore;
  append(events: readonly RequestEvent[]): Promise<void>;
}

const SLIS: readonly BudgetSli[] = [
  { filter: { service: 'orders' }, indicator: { type: 'latency', thresholdMs: 137 } },
  { filter: { host: 'shop.example.com', pathPrefix: '/ord' }, indicator: { type: 'availability' } },
  { filter: {}, indicator: { type: 'latency', thresholdMs: 42.5 } },
];

function bruteForce(arrived: readonly RequestEvent[], sli: BudgetSli, range: TimeRange) {
  return countGoodTotal(
    sli.indicator,
    sli.filter,
    arrived.filter((event) => {
      const ts = Date.parse(event['@timestamp']);
      return ts >= range.from && ts < range.to;
    }),
  );
}

/** Seeded events over four hours, each arriving up to four minutes after its timestamp (under the 5-minute settle lag). */
function arrivingEvents(seed: number): { event: RequestEvent; arrival: number }[] {
  const random = seededRandom(seed + 77);
  return seededEvents(seed, { count: 3_000, from: COUNTER_FROM, minutes: 240 })
    .events.map((event) => ({ event, arrival: Date.parse(event['@timestamp']) + Math.floor(random() * 4 * MINUTE) }))
    .sort((a, b) => a.arrival - b.arrival);
}

const SETTLE = 5 * MINUTE;
const HORIZON = 2 * HOUR;
/** When the late-event tests count: just after the four hours of seeded events. */
const LATE_NOW = COUNTER_FROM + 245 * MINUTE + 31_415;

/**
 * Seeded events split in three: on time, late within the reconcile horizon and late beyond it.
 * Late events fall in minutes that settled before {@link LATE_NOW}, so they reach the store
 * after those minutes were rolled up (as a spool replays them after an outage).
 */
function lateEvents(seed: number): { onTime: RequestEvent[]; lateWithin: RequestEvent[]; lateBeyond: RequestEvent[] } {
  const random = seededRandom(seed + 99);
  const settled = floorMinute(LATE_NOW - SETTLE);
  const horizonStart = floorMinute(LATE_NOW - HORIZON);
  const split = { onTime: [] as RequestEvent[], lateWithin: [] as RequestEvent[], lateBeyond: [] as RequestEvent[] };
  for (const { event } of arrivingEvents(seed)) {
    const ts = Date.parse(event['@timestamp']);
    if (ts >= settled || random() >= 0.25) split.onTime.push(event);
    else if (ts >= horizonStart) split.lateWithin.push(event);
    else split.lateBeyond.push(event);
  }
  return split;
}

/** The part of `range` a count at {@link LATE_NOW} reads from rollups: its whole minutes that had settled. */
function rolledPart(range: TimeRange): TimeRange {
  const from = ceilMinute(range.from);
  return { from, to: Math.max(from, Math.min(floorMinute(range.to), floorMinute(LATE_NOW - SETTLE))) };
}

/** Good and total of `a` less those of `b`. */
function minus(a: { good: number; total: number }, b: { good: number; total: number }) {
  return { good: a.good - b.good, total: a.total - b.total };
}

/** The WindowCounter contract over `stores()` (fresh stores per test). */
export function windowCounterContract(stores: () => Promise<CounterStores>, seed: number, options: { readonly steps?: number; readonly timeoutMs?: number } = {}): void {
  const steps = options.steps ?? 1_000;
  for (const extendEveryMs of [0, 5 * MINUTE]) {
    test(`equals brute force exactly over windows crossing minute boundaries, through incremental builds, with events arriving late (rollups extended every ${extendEveryMs / MINUTE || 1} min)`, async () => {
      const { source, rollups, append } = await stores();
      const counter = new WindowCounter({ source, rollups, settleMs: 5 * MINUTE, buildChunkMs: 45 * MINUTE, extendEveryMs });
      const random = seededRandom(seed);
      const incoming = arrivingEvents(seed);
      const arrived: RequestEvent[] = [];
      let now = COUNTER_FROM + HOUR + 17_345;
      let builtAfterFirst = 0;
      let elapsedMinutes = 0;
      for (let step = 0; now < COUNTER_FROM + 250 * MINUTE && step < steps; step++) {
        const batch: RequestEvent[] = [];
        while (incoming.length > 0 && incoming[0]!.arrival <= now) batch.push(incoming.shift()!.event);
        await append(batch);
        arrived.push(...batch);
        const windows = [5 * MINUTE, 30 * MINUTE + 1, HOUR, 2 * HOUR + 13_000, 4 * HOUR];
        const ranges: TimeRange[] = [...windows.map((w) => ({ from: now - w, to: now })), { from: now - HOUR - 12_345, to: now - 20 * MINUTE + 999 }];
        for (const sli of SLIS) {
          const counts = await counter.countRanges(sli, ranges, now);
          expect(counts, JSON.stringify({ step, now, sli })).toEqual(ranges.map((range) => bruteForce(arrived, sli, range)));
        }
        if (step === 0) builtAfterFirst = counter.stats.builtMinutes;
        const advance = 20_000 + Math.floor(random() * 7 * MINUTE);
        elapsedMinutes += advance / MINUTE;
        now += advance;
      }
      // Later steps only rolled up the minutes that settled since (per SLI), never rebuilt.
      expect(counter.stats.builtMinutes - builtAfterFirst).toBeLessThanOrEqual(SLIS.length * (Math.ceil(elapsedMinutes) + 30));
    }, options.timeoutMs);
  }

  test('a changed SLO gets a new key rebuilt from raw events; retain drops the unused key and prunes beyond the longest window', async () => {
    const { source, rollups, append } = await stores();
    const events = arrivingEvents(seed + 1).map((arriving) => arriving.event);
    await append(events);
    const counter = new WindowCounter({ source, rollups });
    const now = COUNTER_FROM + 245 * MINUTE + 31_415;
    const before: BudgetSli = { filter: { service: 'users' }, indicator: { type: 'latency', thresholdMs: 250 } };
    const after: BudgetSli = { filter: { service: 'users' }, indicator: { type: 'latency', thresholdMs: 137 } };
    const window = { from: now - 3 * HOUR - 1, to: now };
    await counter.retain([{ sli: before, windowMs: 3 * HOUR }], now);
    expect(await counter.count(before, window, now)).toEqual(bruteForce(events, before, window));
    expect(await rollups.keys()).toEqual([sliFingerprint(before.filter, before.indicator)]);

    expect(await counter.retain([{ sli: after, windowMs: 2 * HOUR }], now)).toEqual([sliFingerprint(before.filter, before.indicator)]);
    expect(await counter.count(after, window, now)).toEqual(bruteForce(events, after, window));
    const key = sliFingerprint(after.filter, after.indicator);
    expect(await rollups.keys()).toEqual([key]);

    await counter.retain([{ sli: after, windowMs: HOUR }], now);
    expect((await rollups.coverage(key))?.from).toBe(Math.floor((now - HOUR) / MINUTE) * MINUTE);
    const hour = { from: now - HOUR, to: now };
    expect(await counter.count(after, hour, now)).toEqual(bruteForce(events, after, hour));
  });

  test('countBudgetWindows gives the SLO window and every burn-rate window exactly, in one raw and one rollup query', async () => {
    const { source, rollups, append } = await stores();
    const events = arrivingEvents(seed + 2).map((arriving) => arriving.event);
    await append(events);
    const counter = new WindowCounter({ source, rollups });
    // A 4-hour SLO: its burn-rate windows scale to 8 min, 1 min 40 s, 48 min, ... (see burn-rate.ts).
    const slo: BudgetSlo = {
      kind: 'budget',
      name: 'orders-latency',
      filter: { service: 'orders' },
      indicator: { type: 'latency', thresholdMs: 137 },
      objective: 0.99,
      windowMs: 4 * HOUR,
      states: { green: 0.6, orange: 0.8, red: 1 },
      holdMs: 5 * MINUTE,
      owners: { sli: [], slo: [] },
      minTraffic: 1,
    };
    for (const now of [COUNTER_FROM + 241 * MINUTE + 7_777, COUNTER_FROM + 242 * MINUTE + 59_999]) {
      const queries = counter.stats.rawQueries + counter.stats.rollupQueries;
      const counts = await countBudgetWindows(counter, slo, now);
      expect(counter.stats.rawQueries + counter.stats.rollupQueries - queries).toBe(2);
      expect(counts.window).toEqual(bruteForce(events, slo, { from: now - slo.windowMs, to: now }));
      expect([...counts.burnWindows.keys()]).toEqual(budgetBurnWindows(slo));
      for (const [windowMs, windowCounts] of counts.burnWindows) {
        expect(windowCounts, `burn window ${windowMs}`).toEqual(bruteForce(events, slo, { from: now - windowMs, to: now }));
      }
    }
  });

  test('reconcile counts late events into the minutes already rolled up, exactly, re-reading only the horizon in chunks and never extending the coverage', async () => {
    const opened = await stores();
    const perMinute: TimeRange[] = [];
    const source = watchedEventSource(opened.source, (_, range) => perMinute.push(range));
    const { rollups, append } = opened;
    const counter = new WindowCounter({ source, rollups, settleMs: SETTLE, buildChunkMs: 45 * MINUTE });
    const { onTime, lateWithin } = lateEvents(seed + 3);
    const window = { from: LATE_NOW - 4 * HOUR, to: LATE_NOW };
    const ranges: TimeRange[] = [window, { from: LATE_NOW - HOUR - 12_345, to: LATE_NOW - 20 * MINUTE + 999 }, { from: LATE_NOW - 30 * MINUTE + 1, to: LATE_NOW }];
    await counter.retain(SLIS.map((sli) => ({ sli, windowMs: 4 * HOUR })), LATE_NOW);
    await append(onTime);
    for (const sli of SLIS) await counter.countRanges(sli, ranges, LATE_NOW);
    const coverage = await Promise.all(SLIS.map((sli) => rollups.coverage(sliFingerprint(sli.filter, sli.indicator))));
    await append(lateWithin);
    const all = [...onTime, ...lateWithin];

    // Before: the counts miss exactly the late events of the rolled-up minutes (raw edges see theirs).
    for (const sli of SLIS) {
      expect(bruteForce(lateWithin, sli, window).total, JSON.stringify(sli)).toBeGreaterThan(0);
      expect(await counter.countRanges(sli, ranges, LATE_NOW)).toEqual(ranges.map((range) => minus(bruteForce(all, sli, range), bruteForce(lateWithin, sli, rolledPart(range)))));
    }

    perMinute.length = 0;
    const report = await counter.reconcile(HORIZON, LATE_NOW);
    const horizonStart = floorMinute(LATE_NOW - HORIZON);
    const horizonMinutes = (coverage[0]!.to - horizonStart) / MINUTE;
    const chunks = Array.from({ length: Math.ceil(horizonMinutes / 45) }, (_, i) => ({ from: horizonStart + i * 45 * MINUTE, to: Math.min(coverage[0]!.to, horizonStart + (i + 1) * 45 * MINUTE) }));
    // A chunk is rewritten when late events of the SLI fell in it.
    const rewritten = SLIS.flatMap((sli) => chunks.filter((chunk) => bruteForce(lateWithin, sli, chunk).total > 0)).reduce((sum, chunk) => sum + (chunk.to - chunk.from) / MINUTE, 0);
    expect(report).toEqual({
      keys: SLIS.length,
      minutes: SLIS.length * horizonMinutes,
      rewrittenMinutes: rewritten,
      addedEvents: SLIS.reduce((sum, sli) => sum + bruteForce(lateWithin, sli, window).total, 0),
      failures: [],
    });
    expect(perMinute.length).toBe(SLIS.length * chunks.length);
    for (const range of perMinute) {
      expect(range.from).toBeGreaterThanOrEqual(horizonStart);
      expect(range.to).toBeLessThanOrEqual(coverage[0]!.to);
      expect(range.to - range.from).toBeLessThanOrEqual(45 * MINUTE);
    }
    expect(await Promise.all(SLIS.map((sli) => rollups.coverage(sliFingerprint(sli.filter, sli.indicator))))).toEqual(coverage);

    // After: exact, and at a later now as well (the minutes settled since are rolled up as usual).
    for (const now of [LATE_NOW, LATE_NOW + 3 * MINUTE + 7_000]) {
      const later = ranges.map((range) => ({ from: range.from + now - LATE_NOW, to: range.to + now - LATE_NOW }));
      for (const sli of SLIS) expect(await counter.countRanges(sli, later, now), JSON.stringify({ now, sli })).toEqual(later.map((range) => bruteForce(all, sli, range)));
    }
    // Nothing late any more: nothing rewritten.
    expect(await counter.reconcile(HORIZON, LATE_NOW + 3 * MINUTE + 7_000)).toMatchObject({ keys: SLIS.length, rewrittenMinutes: 0, addedEvents: 0, failures: [] });
  }, options.timeoutMs);

  test('late events older than the horizon stay missing (the documented limit); a reconcile later on rolls up no new minute and builds no key', async () => {
    const { source, rollups, append } = await stores();
    const counter = new WindowCounter({ source, rollups, settleMs: SETTLE });
    const { onTime, lateWithin, lateBeyond } = lateEvents(seed + 4);
    const window = { from: LATE_NOW - 4 * HOUR, to: LATE_NOW };
    const unused: BudgetSli = { filter: { service: 'billing' }, indicator: { type: 'availability' } };
    await counter.retain([...SLIS, unused].map((sli) => ({ sli, windowMs: 4 * HOUR })), LATE_NOW);
    await append(onTime);
    for (const sli of SLIS) await counter.count(sli, window, LATE_NOW);
    await append([...lateWithin, ...lateBeyond]);
    const all = [...onTime, ...lateWithin, ...lateBeyond];
    const keys = await rollups.keys();
    const coverage = await Promise.all(SLIS.map((sli) => rollups.coverage(sliFingerprint(sli.filter, sli.indicator))));

    expect((await counter.reconcile(HORIZON, LATE_NOW)).failures).toEqual([]);
    for (const sli of SLIS) {
      const uncorrected = bruteForce(lateBeyond, sli, rolledPart(window));
      expect(uncorrected.total, JSON.stringify(sli)).toBeGreaterThan(0);
      expect(await counter.count(sli, window, LATE_NOW)).toEqual(minus(bruteForce(all, sli, window), uncorrected));
    }

    // Twenty more minutes have settled: the reconcile leaves them to the next count.
    const report = await counter.reconcile(HORIZON, LATE_NOW + 20 * MINUTE);
    expect(report.minutes).toBe(SLIS.length * ((coverage[0]!.to - floorMinute(LATE_NOW + 20 * MINUTE - HORIZON)) / MINUTE));
    expect(await Promise.all(SLIS.map((sli) => rollups.coverage(sliFingerprint(sli.filter, sli.indicator))))).toEqual(coverage);
    expect(await rollups.keys()).toEqual(keys);
    expect(await rollups.coverage(sliFingerprint(unused.filter, unused.indicator))).toBeUndefined();
  }, options.timeoutMs);

  test('a source failing for one SLI during the reconcile: that SLI is reported with its error, the others are corrected, counting goes on', async () => {
    const opened = await stores();
    let failing = false;
    const source = watchedEventSource(opened.source, (filter) => {
      if (failing && filter.service === 'orders') throw new EngineError('SLO_STORE_QUERY_FAILED', 'the store rejected the query');
    });
    const { rollups, append } = opened;
    const counter = new WindowCounter({ source, rollups, settleMs: SETTLE });
    const { onTime, lateWithin } = lateEvents(seed + 5);
    const window = { from: LATE_NOW - 4 * HOUR, to: LATE_NOW };
    await counter.retain(SLIS.map((sli) => ({ sli, windowMs: 4 * HOUR })), LATE_NOW);
    await append(onTime);
    for (const sli of SLIS) await counter.count(sli, window, LATE_NOW);
    await append(lateWithin);
    const all = [...onTime, ...lateWithin];

    failing = true;
    const report = await counter.reconcile(HORIZON, LATE_NOW);
    const orders = SLIS[0]!;
    expect(report.failures).toEqual([{ key: sliFingerprint(orders.filter, orders.indicator), error: expect.objectContaining({ code: 'SLO_STORE_QUERY_FAILED' }) }]);
    expect(report.keys).toBe(SLIS.length);
    expect(await counter.count(orders, window, LATE_NOW)).toEqual(minus(bruteForce(all, orders, window), bruteForce(lateWithin, orders, window)));
    for (const sli of SLIS.slice(1)) expect(await counter.count(sli, window, LATE_NOW)).toEqual(bruteForce(all, sli, window));

    failing = false;
    expect((await counter.reconcile(HORIZON, LATE_NOW)).failures).toEqual([]);
    for (const sli of SLIS) expect(await counter.count(sli, window, LATE_NOW)).toEqual(bruteForce(all, sli, window));
  }, options.timeoutMs);
}
