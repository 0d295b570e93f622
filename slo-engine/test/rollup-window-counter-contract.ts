import type { RequestEvent } from '@lookout/telemetry';
import { expect, test } from 'vitest';
import type { EventSource, TimeRange } from '../src/events/event-source.ts';
import { countBudgetWindows, budgetBurnWindows } from '../src/engine/budget-windows.ts';
import type { BudgetSlo } from '../src/model/slo.ts';
import type { RollupStore } from '../src/rollups/rollup-store.ts';
import { sliFingerprint } from '../src/rollups/sli-fingerprint.ts';
import { WindowCounter, type BudgetSli } from '../src/rollups/window-counter.ts';
import { countGoodTotal } from '../src/sli/level.ts';
import { seededEvents, seededRandom } from './event-source-fixture.ts';

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
}
