import type { RequestEvent } from '@lookout/telemetry';
import { expect, test } from 'vitest';
import type { EventSource, MinuteCount, TimeRange } from '../src/events/event-source.ts';
import type { BudgetIndicator, SloFilter } from '../src/model/slo.ts';
import { countGoodTotal, countsFor, isGood, thresholdSli } from '../src/sli/level.ts';
import { randomBudgetIndicator, randomFilter, randomMinuteRange, randomRange, randomThresholdIndicator, seededRandom, type SeededEvents } from './event-source-fixture.ts';

const MINUTE = 60_000;

function inRange(events: readonly RequestEvent[], range: TimeRange): RequestEvent[] {
  return events.filter((event) => {
    const ts = Date.parse(event['@timestamp']);
    return ts >= range.from && ts < range.to;
  });
}

/** Brute-force per-minute counts (sli/level.ts applied event by event). */
function perMinute(events: readonly RequestEvent[], filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): MinuteCount[] {
  const minutes = new Map<number, { good: number; total: number }>();
  for (const event of inRange(events, range)) {
    if (!countsFor(filter, event)) continue;
    const minute = Math.floor(Date.parse(event['@timestamp']) / MINUTE) * MINUTE;
    const counts = minutes.get(minute) ?? { good: 0, total: 0 };
    counts.total++;
    if (isGood(indicator, event)) counts.good++;
    minutes.set(minute, counts);
  }
  return [...minutes].sort((a, b) => a[0] - b[0]).map(([minute, counts]) => ({ minute, ...counts }));
}

const describe = (what: unknown): string => JSON.stringify(what);

/**
 * The EventSource contract: every answer equals the brute force of sli/level.ts over the same
 * seeded events, for random filters, thresholds and windows. `source()` gives the store under
 * test, already holding `seeded.events`.
 */
export function eventSourceContract(source: () => EventSource, seeded: () => SeededEvents, seed: number): void {
  test('counts good/total exactly for random filters, thresholds and windows crossing minute boundaries', async () => {
    const random = seededRandom(seed);
    const { events, from, to } = seeded();
    let nonEmpty = 0;
    for (let i = 0; i < 60; i++) {
      const filter = randomFilter(random);
      const indicator = randomBudgetIndicator(random);
      const range = i === 0 ? { from, to } : randomRange(random, { from, to });
      const expected = countGoodTotal(indicator, filter, inRange(events, range));
      if (expected.total > 0 && expected.good < expected.total) nonEmpty++;
      expect(await source().countGoodTotal(filter, indicator, range), describe({ filter, indicator, range })).toEqual(expected);
    }
    expect(nonEmpty).toBeGreaterThan(20); // the draws exercised real populations, not only empty ones
  });

  test('counts several ranges in one call, each exactly, in order', async () => {
    const random = seededRandom(seed + 1);
    const { events, from, to } = seeded();
    for (let i = 0; i < 10; i++) {
      const filter = randomFilter(random);
      const indicator = randomBudgetIndicator(random);
      const ranges = Array.from({ length: 1 + Math.floor(random() * 6) }, () => randomRange(random, { from, to }));
      ranges.push({ from: from + 5 * MINUTE, to: from + 5 * MINUTE }); // empty
      const expected = ranges.map((range) => countGoodTotal(indicator, filter, inRange(events, range)));
      expect(await source().countGoodTotalRanges(filter, indicator, ranges), describe({ filter, indicator, ranges })).toEqual(expected);
    }
    expect(await source().countGoodTotalRanges({}, { type: 'availability' }, [])).toEqual([]);
  });

  test('counts per minute exactly over minute-aligned ranges, leaving out empty minutes', async () => {
    const random = seededRandom(seed + 2);
    const { events, from, to } = seeded();
    for (let i = 0; i < 15; i++) {
      const filter = i === 0 ? {} : randomFilter(random);
      const indicator = randomBudgetIndicator(random);
      const range = i === 0 ? { from, to } : randomMinuteRange(random, { from, to });
      const actual = await source().countPerMinute(filter, indicator, range);
      expect(actual, describe({ filter, indicator, range })).toEqual(perMinute(events, filter, indicator, range));
      const sum = actual.reduce((acc, minute) => ({ good: acc.good + minute.good, total: acc.total + minute.total }), { good: 0, total: 0 });
      expect(sum).toEqual(countGoodTotal(indicator, filter, inRange(events, range)));
    }
    await expect(source().countPerMinute({}, { type: 'availability' }, { from: from + 1, to })).rejects.toThrow(RangeError);
  });

  test('computes exact nearest-rank percentiles and the error rate for random filters and windows', async () => {
    const random = seededRandom(seed + 3);
    const { events, from, to } = seeded();
    for (let i = 0; i < 30; i++) {
      const filter = i < 4 ? {} : randomFilter(random);
      const indicator = i < 4 ? { ...randomThresholdIndicator(random), metric: (['p50', 'p95', 'p99', 'error-rate'] as const)[i]! } : randomThresholdIndicator(random);
      const range = i < 4 ? { from, to } : randomRange(random, { from, to });
      const population = inRange(events, range);
      const total = population.filter((event) => countsFor(filter, event)).length;
      expect(await source().thresholdSli(filter, indicator, range), describe({ filter, indicator, range })).toEqual({
        sli: thresholdSli(indicator, filter, population),
        total,
      });
    }
  });

  test('lists the services and hosts of a range, probes included', async () => {
    const random = seededRandom(seed + 4);
    const { events, from, to } = seeded();
    for (const range of [{ from, to }, randomRange(random, { from, to }), { from: to + MINUTE, to: to + 2 * MINUTE }]) {
      const population = inRange(events, range);
      const services = [...new Set(population.flatMap((event) => (event.service.target ? [event.service.target.name] : [])))].sort();
      const hosts = [...new Set(population.map((event) => event.url.domain))].sort();
      expect(await source().targets(range)).toEqual({ services, hosts });
    }
  });
}
