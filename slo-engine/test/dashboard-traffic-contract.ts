import { expect } from 'vitest';
import type { TrafficSeries, TrafficSnapshot } from '../src/dashboard/traffic-source.ts';
import { nearestRankMs, type ExpectedGroup, type ExpectedTraffic } from './dashboard-traffic-oracle.ts';

/**
 * How exact a source's percentiles are: `exact` (nearest rank, the SQLite source), or
 * `interpolated` (Elasticsearch's TDigest over small buckets keeps every value and
 * interpolates between neighbours: the value lies between the values ranked either side).
 */
export type PercentileAccuracy = 'exact' | 'interpolated';

function expectPercentile(actual: number | null, sorted: readonly number[], percent: number, accuracy: PercentileAccuracy, where: string): void {
  const expected = nearestRankMs(sorted, percent);
  if (expected === null || accuracy === 'exact') {
    expect(actual, where).toBe(expected);
    return;
  }
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length - 1e-9));
  const low = sorted[Math.max(0, rank - 2)]! / 1e6;
  const high = sorted[Math.min(sorted.length - 1, rank)]! / 1e6;
  expect(actual, where).not.toBeNull();
  expect(actual!, where).toBeGreaterThanOrEqual(low - 1e-6);
  expect(actual!, where).toBeLessThanOrEqual(high + 1e-6);
}

function expectClose(actual: number | null, expected: number | null, where: string): void {
  if (expected === null) expect(actual, where).toBeNull();
  else expect(actual, where).toBeCloseTo(expected, 6);
}

function seriesByLabel(series: readonly TrafficSeries[]): Map<string, readonly (number | null)[]> {
  return new Map(series.map((one) => [one.label, one.values]));
}

/** The busiest failing terminations as the chart draws them: 8 series at most, the rest summed as "other". */
function expectedTerminations(expected: ExpectedTraffic): Map<string, number[]> {
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const sorted = [...expected.terminations].filter(([, values]) => sum(values) > 0).sort((a, b) => sum(b[1]) - sum(a[1]) || a[0].localeCompare(b[0]));
  if (sorted.length <= 8) return new Map(sorted);
  const rest = sorted.slice(7);
  return new Map([...sorted.slice(0, 7), ['other', expected.time.map((_, i) => rest.reduce((total, [, values]) => total + values[i]!, 0))]]);
}

function expectGroups(
  actual: readonly { key: string; requests: number; failures: number; p95Ms: number | null; average: number | null }[],
  expected: readonly ExpectedGroup[],
  accuracy: PercentileAccuracy,
  what: string,
): void {
  expect(actual.map((row) => [row.key, row.requests, row.failures]), what).toEqual(expected.map((row) => [row.key, row.requests, row.failures]));
  actual.forEach((row, i) => {
    const want = expected[i]!;
    expectPercentile(row.p95Ms, want.durations, 95, accuracy, `${what} ${row.key} p95`);
    expectClose(row.average, want.average, `${what} ${row.key} average`);
  });
}

/** Asserts every chart and table of `snapshot` against the brute-force expectation. */
export function expectTrafficMatches(snapshot: TrafficSnapshot, expected: ExpectedTraffic, accuracy: PercentileAccuracy): void {
  expect(snapshot.store.state).toBe('ok');
  expect(snapshot.total).toBe(expected.total);
  expect(snapshot.failed).toBe(expected.failed);
  expect(snapshot.time).toEqual(expected.time);
  const seconds = (snapshot.stepMs / 1_000);

  expect(snapshot.rate).toHaveLength(1);
  snapshot.rate[0]!.values.forEach((value, i) => expect(value, `rate of bucket ${i}`).toBeCloseTo(expected.counts[i]! / seconds, 9));

  expect(snapshot.latency.map((one) => one.label)).toEqual(['p50', 'p95', 'p99']);
  for (const one of snapshot.latency) {
    const percent = Number(one.label.slice(1));
    one.values.forEach((value, i) => expectPercentile(value, expected.durations[i]!, percent, accuracy, `${one.label} of bucket ${i}`));
  }

  const classes = [...expected.statusClasses].filter(([, values]) => values.some((value) => value > 0));
  expect(snapshot.statusClasses.map((one) => one.label)).toEqual(classes.map(([label]) => label));
  expect(seriesByLabel(snapshot.statusClasses)).toEqual(new Map(classes));

  const terminations = expectedTerminations(expected);
  expect(snapshot.terminations.map((one) => one.label)).toEqual([...terminations.keys()]);
  expect(seriesByLabel(snapshot.terminations)).toEqual(terminations);

  expect(snapshot.bytes.map((one) => one.label)).toEqual(['Bytes in (request bodies)', 'Bytes out (response bodies)']);
  expect(snapshot.bytes[0]!.values).toEqual(expected.bytesIn);
  expect(snapshot.bytes[1]!.values).toEqual(expected.bytesOut);

  const phases = [...expected.phases].filter(([, values]) => values.some((value) => value !== null));
  expect(snapshot.phases).toHaveLength(phases.length);
  snapshot.phases.forEach((one, p) => one.values.forEach((value, i) => expectClose(value, phases[p]![1][i]!, `${one.label} of bucket ${i}`)));

  expectGroups(
    snapshot.topUris.map((row) => ({ key: row.path, requests: row.requests, failures: row.failures, p95Ms: row.p95Ms, average: row.averageResponseBytes })),
    expected.uris,
    accuracy,
    'top URIs',
  );
  expectGroups(
    snapshot.members.map((row) => ({ key: row.member, requests: row.requests, failures: row.failures, p95Ms: row.p95Ms, average: row.averageConnectMs })),
    expected.members,
    accuracy,
    'members',
  );
}
