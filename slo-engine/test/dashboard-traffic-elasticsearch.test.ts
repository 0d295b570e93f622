import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ElasticsearchTrafficSource } from '../src/dashboard/elasticsearch-traffic-source.ts';
import type { TrafficQuery, TrafficSnapshot } from '../src/dashboard/traffic-source.ts';
import { expectTrafficMatches } from './dashboard-traffic-contract.ts';
import { seededTrafficEvents } from './dashboard-traffic-fixture.ts';
import { expectedTraffic } from './dashboard-traffic-oracle.ts';
import { bulkEvents, createEventIndex, removeEventIndex } from './event-source-seeding.ts';

const SEED = 20_260_302;
const FROM = Date.UTC(2026, 0, 22, 10, 0);
const MINUTE = 60_000;
const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);
const name = `lookout-dashtest-${randomBytes(4).toString('hex')}`;

function expectEmpty(snapshot: TrafficSnapshot): void {
  expect(snapshot).toMatchObject({ total: 0, failed: 0, time: [], rate: [], latency: [], statusClasses: [], terminations: [], bytes: [], phases: [], topUris: [], members: [] });
}

describe.skipIf(!url)('ElasticsearchTrafficSource', () => {
  const client = new Client({ node: url || 'http://127.0.0.1:9', maxRetries: 0 });
  // Fewer events per bucket than TDigest's compression: its percentiles interpolate between neighbours.
  const events = seededTrafficEvents(SEED, { count: 3_000, from: FROM - 5 * MINUTE, minutes: 40 });
  let source: ElasticsearchTrafficSource;

  beforeAll(async () => {
    // The proxy's way: the portable template, the first index behind the write alias, bulk creates.
    await createEventIndex(client, name);
    await bulkEvents(client, name, events);
    source = new ElasticsearchTrafficSource({ node: url, index: name, maxRetries: 0 });
  });

  afterAll(async () => {
    await source?.close();
    await removeEventIndex(client, name);
    await client.indices.delete({ index: `${name}-bare*`, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
  });

  test('every chart and table equals a brute-force count of the events (counts exact, percentiles between the neighbouring ranks)', async () => {
    const query: TrafficQuery = { from: FROM, to: FROM + 30 * MINUTE, stepMs: 30_000, now: FROM + 30 * MINUTE };
    const snapshot = await source.traffic(query);
    const expected = expectedTraffic(events, query);
    expect(expected.total).toBeGreaterThan(1_500);
    expect(expected.terminations.size).toBeGreaterThan(8);
    expectTrafficMatches(snapshot, expected, 'interpolated');
    expect(snapshot.store).toEqual({ kind: 'elasticsearch', location: `${url}/${name}`, state: 'ok' });
  });

  test('other steps and ranges cut the same events exactly', async () => {
    for (const [from, minutes, stepMs] of [[FROM + 7 * MINUTE, 3, 1_000], [FROM - 10 * MINUTE, 60, 5 * MINUTE]] as const) {
      const query: TrafficQuery = { from, to: from + minutes * MINUTE, stepMs, now: from + minutes * MINUTE };
      expectTrafficMatches(await source.traffic(query), expectedTraffic(events, query), 'interpolated');
    }
  });

  test('a missing index: an empty snapshot saying so, not an error', async () => {
    const missing = new ElasticsearchTrafficSource({ node: url, index: `${name}-missing`, maxRetries: 0 });
    const snapshot = await missing.traffic({ from: FROM, to: FROM + MINUTE, stepMs: 10_000, now: FROM + MINUTE });
    expectEmpty(snapshot);
    expect(snapshot.store).toMatchObject({ state: 'not-initialised', message: expect.stringContaining(`${name}-missing`) });
    await missing.close();
  });

  test('an index without the template whose documents carry only timestamp, status and duration: those panels drawn, the others empty', async () => {
    const index = `${name}-bare`;
    await client.indices.create({
      index,
      mappings: { dynamic: false, properties: { '@timestamp': { type: 'date' }, event: { properties: { duration: { type: 'long' } } }, http: { properties: { response: { properties: { status_code: { type: 'long' } } } } } } },
    });
    const operations = Array.from({ length: 30 }, (_, i) => [
      { create: { _index: index } },
      { '@timestamp': new Date(FROM + i * 20_000).toISOString(), event: { duration: (i + 1) * 1_000_000 }, http: { response: { status_code: i % 3 === 0 ? 503 : 200 } } },
    ]).flat();
    await client.bulk({ refresh: true, operations });
    const bare = new ElasticsearchTrafficSource({ node: url, index, maxRetries: 0 });
    const snapshot = await bare.traffic({ from: FROM, to: FROM + 10 * MINUTE, stepMs: MINUTE, now: FROM + 10 * MINUTE });
    expect(snapshot.total).toBe(30);
    expect(snapshot.rate[0]!.values).toEqual(Array.from({ length: 10 }, () => 3 / 60));
    expect(snapshot.latency.map((one) => one.label)).toEqual(['p50', 'p95', 'p99']);
    expect(snapshot.statusClasses.map((one) => [one.label, one.values.reduce((a, b) => a! + b!, 0)])).toEqual([['2xx', 20], ['5xx', 10]]);
    expect(snapshot).toMatchObject({ failed: 0, terminations: [], bytes: [], phases: [], topUris: [], members: [] });

    const empty = new ElasticsearchTrafficSource({ node: url, index, maxRetries: 0 });
    expectEmpty(await empty.traffic({ from: FROM - 60 * MINUTE, to: FROM - 30 * MINUTE, stepMs: MINUTE, now: FROM }));
    await empty.close();
    await bare.close();
  });

  test('an unreachable Elasticsearch: SLO_STORE_UNREACHABLE naming the URL', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const down = new ElasticsearchTrafficSource({ node: `http://127.0.0.1:${port}`, index: name, maxRetries: 0 });
    await expect(down.traffic({ from: FROM, to: FROM + MINUTE, stepMs: 10_000, now: FROM + MINUTE })).rejects.toMatchObject({
      code: 'SLO_STORE_UNREACHABLE',
      message: expect.stringContaining(`http://127.0.0.1:${port}`),
    });
    await down.close();
  });
});
