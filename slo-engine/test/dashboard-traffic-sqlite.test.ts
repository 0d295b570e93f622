import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { exampleRequestEvent } from '@lookout/telemetry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SqliteTrafficSource } from '../src/dashboard/sqlite-traffic-source.ts';
import type { TrafficQuery } from '../src/dashboard/traffic-source.ts';
import { expectTrafficMatches } from './dashboard-traffic-contract.ts';
import { seededTrafficEvents } from './dashboard-traffic-fixture.ts';
import { expectedTraffic } from './dashboard-traffic-oracle.ts';
import { ProxyEmbeddedWriter, writeWithProxySink } from './event-source-seeding.ts';

const SEED = 20_260_301;
const FROM = Date.UTC(2026, 0, 22, 10, 0);
const MINUTE = 60_000;

describe('SqliteTrafficSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-dashboard-'));
  const path = join(dir, 'telemetry.sqlite');
  // Events from 5 minutes before the range to 5 minutes after it: the edges must be cut exactly.
  const events = seededTrafficEvents(SEED, { count: 6_000, from: FROM - 5 * MINUTE, minutes: 40 });
  let source: SqliteTrafficSource;

  beforeAll(async () => {
    await writeWithProxySink(path, events);
    source = new SqliteTrafficSource({ path });
  });

  afterAll(async () => {
    await source?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every chart and table equals a brute-force count of the events written by the proxy sink (exact percentiles)', async () => {
    const query: TrafficQuery = { from: FROM, to: FROM + 30 * MINUTE, stepMs: 30_000, now: FROM + 30 * MINUTE };
    const snapshot = await source.traffic(query);
    const expected = expectedTraffic(events, query);
    expect(expected.total).toBeGreaterThan(3_000);
    expect(expected.terminations.size).toBeGreaterThan(8);
    expectTrafficMatches(snapshot, expected, 'exact');
    expect(snapshot.store).toEqual({ kind: 'embedded', location: path, state: 'ok' });
  });

  test('other steps and ranges cut the same events exactly, a one-second step included', async () => {
    for (const [from, minutes, stepMs] of [[FROM + 7 * MINUTE, 3, 1_000], [FROM - 10 * MINUTE, 60, 5 * MINUTE], [FROM + MINUTE, 10, 15_000]] as const) {
      const query: TrafficQuery = { from, to: from + minutes * MINUTE, stepMs, now: from + minutes * MINUTE };
      expectTrafficMatches(await source.traffic(query), expectedTraffic(events, query), 'exact');
    }
  });

  test('the bucket holding "now" reports its rate over the seconds elapsed so far', async () => {
    const query: TrafficQuery = { from: FROM, to: FROM + 60_000, stepMs: 60_000, now: FROM + 15_000 };
    const snapshot = await source.traffic(query);
    const expected = expectedTraffic(events, query);
    expect(snapshot.rate[0]!.values[0]).toBeCloseTo(expected.counts[0]! / 15, 9);
  });

  test('sees events the proxy commits after the source opened the file (WAL: reader and writer side by side)', async () => {
    const livePath = join(dir, 'live.sqlite');
    const writer = new ProxyEmbeddedWriter(livePath);
    const live = new SqliteTrafficSource({ path: livePath });
    const query: TrafficQuery = { from: FROM, to: FROM + 10 * MINUTE, stepMs: MINUTE, now: FROM + 10 * MINUTE };
    const batch = seededTrafficEvents(SEED + 1, { count: 200, from: FROM, minutes: 10 });
    writer.append(batch.slice(0, 100));
    expect((await live.traffic(query)).total).toBe(expectedTraffic(batch.slice(0, 100), query).total);
    writer.append(batch.slice(100));
    expect((await live.traffic(query)).total).toBe(expectedTraffic(batch, query).total);
    await live.close();
    await writer.close();
  });
});

describe('SqliteTrafficSource on stores without data or without fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-dashboard-empty-'));
  const query: TrafficQuery = { from: FROM, to: FROM + 15 * MINUTE, stepMs: 10_000, now: FROM + 15 * MINUTE };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expectEmpty = (snapshot: Awaited<ReturnType<SqliteTrafficSource['traffic']>>): void => {
    expect(snapshot).toMatchObject({ total: 0, failed: 0, time: [], rate: [], latency: [], statusClasses: [], terminations: [], bytes: [], phases: [], topUris: [], members: [] });
  };

  test('no file yet: an empty snapshot saying the proxy has not created the store, not an error', async () => {
    const path = join(dir, 'missing.sqlite');
    const source = new SqliteTrafficSource({ path });
    const snapshot = await source.traffic(query);
    expectEmpty(snapshot);
    expect(snapshot.store).toMatchObject({ state: 'not-initialised', message: expect.stringContaining(path) });
    await source.close();
  });

  test('a file without the events table: not initialised; once the proxy creates and fills it, data', async () => {
    const path = join(dir, 'no-table.sqlite');
    new DatabaseSync(path).close();
    const source = new SqliteTrafficSource({ path });
    const snapshot = await source.traffic(query);
    expectEmpty(snapshot);
    expect(snapshot.store).toMatchObject({ state: 'not-initialised', message: expect.stringContaining('request_events') });

    const events = seededTrafficEvents(SEED + 2, { count: 50, from: FROM, minutes: 15 });
    await writeWithProxySink(path, events);
    expect((await source.traffic(query)).total).toBe(expectedTraffic(events, query).total);
    await source.close();
  });

  test('an empty table: every panel empty ("no data"), the store ok', async () => {
    const path = join(dir, 'empty.sqlite');
    await writeWithProxySink(path, []);
    const source = new SqliteTrafficSource({ path });
    const snapshot = await source.traffic(query);
    expectEmpty(snapshot);
    expect(snapshot.store.state).toBe('ok');
    await source.close();
  });

  test('a version-1 file (no path column) whose events lack bytes, timings and member: those panels empty, the others drawn', async () => {
    const path = join(dir, 'v1.sqlite');
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE request_events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, service TEXT, status INTEGER NOT NULL,
      outcome TEXT NOT NULL, duration_ns INTEGER NOT NULL, termination TEXT NOT NULL, probe INTEGER NOT NULL, doc TEXT NOT NULL)`);
    const insert = db.prepare('INSERT INTO request_events (event_id, ts, service, status, outcome, duration_ns, termination, probe, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 40; i++) {
      const ts = FROM + i * 20_000;
      // A bare document: timestamp, path and status only.
      insert.run(`e${i}`, ts, 'shop', i % 4 === 0 ? 503 : 200, i % 4 === 0 ? 'failure' : 'success', (i + 1) * 1_000_000, 'ok', 0, JSON.stringify({ '@timestamp': new Date(ts).toISOString(), url: { path: i % 2 ? '/a' : '/b' } }));
    }
    db.close();
    const source = new SqliteTrafficSource({ path });
    const snapshot = await source.traffic(query);
    expect(snapshot.total).toBe(40);
    expect(snapshot.failed).toBe(10);
    expect(snapshot.rate[0]!.values.filter((value) => value! > 0)).toHaveLength(40);
    expect(snapshot.latency.map((one) => one.label)).toEqual(['p50', 'p95', 'p99']);
    expect(snapshot.statusClasses.map((one) => one.label)).toEqual(['2xx', '5xx']);
    expect(snapshot.topUris.map((row) => [row.path, row.requests, row.failures, row.averageResponseBytes])).toEqual([['/a', 20, 0, null], ['/b', 20, 10, null]]);
    expect(snapshot).toMatchObject({ terminations: [], bytes: [], phases: [], members: [] });
    await source.close();
  });

  test('probes only: nothing to draw', async () => {
    const path = join(dir, 'probes.sqlite');
    const probe = exampleRequestEvent();
    probe.lookout.probe = true;
    probe['@timestamp'] = new Date(FROM + 1_000).toISOString();
    await writeWithProxySink(path, [probe]);
    const source = new SqliteTrafficSource({ path });
    expectEmpty(await source.traffic(query));
    await source.close();
  });

  test('a file that is not a database: SLO_STORE_UNREACHABLE naming the path', async () => {
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(path, 'this is not a SQLite database, just text that is long enough to have a header '.repeat(20));
    const source = new SqliteTrafficSource({ path });
    await expect(source.traffic(query)).rejects.toMatchObject({ code: 'SLO_STORE_UNREACHABLE', message: expect.stringContaining(path) });
    await source.close();
  });
});
