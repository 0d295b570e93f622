import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RequestEvent } from '@lookout/telemetry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../src/engine-error.ts';
import { SqliteEventSource } from '../src/events/sqlite-event-source.ts';
import { eventSourceContract } from './event-source-contract.ts';
import { seededEvents, type SeededEvents } from './event-source-fixture.ts';
import { writeWithProxySink } from './event-source-seeding.ts';

const SEED = 20_260_122;
const FROM = Date.UTC(2026, 0, 22, 10, 0);
const dir = mkdtempSync(join(tmpdir(), 'lookout-event-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file as version 1 of the proxy's sink wrote it (no domain/path columns). */
function writeVersion1(path: string, events: readonly RequestEvent[]): void {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS request_events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, service TEXT,
      status INTEGER NOT NULL, outcome TEXT NOT NULL, duration_ns INTEGER NOT NULL, termination TEXT NOT NULL, probe INTEGER NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS request_events_ts ON request_events (ts);
    CREATE INDEX IF NOT EXISTS request_events_service_ts ON request_events (service, ts);`);
  const insert = db.prepare('INSERT OR IGNORE INTO request_events (event_id, ts, service, status, outcome, duration_ns, termination, probe, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.exec('BEGIN');
  for (const e of events) {
    insert.run(e.event.id, Date.parse(e['@timestamp']), e.service.target?.name ?? null, e.http.response.status_code, e.event.outcome, e.event.duration, e.lookout.termination, e.lookout.probe ? 1 : 0, JSON.stringify(e));
  }
  db.exec('COMMIT');
  db.close();
}

const LAYOUTS = {
  'a version-2 file written by the proxy': (path: string, events: readonly RequestEvent[]) => writeWithProxySink(path, events),
  'a version-1 file migrated halfway (old rows without domain/path)': async (path: string, events: readonly RequestEvent[]) => {
    writeVersion1(path, events.slice(0, events.length / 2));
    await writeWithProxySink(path, events.slice(events.length / 2));
  },
  'a version-1 file never migrated': (path: string, events: readonly RequestEvent[]) => writeVersion1(path, events),
};

for (const [layout, write] of Object.entries(LAYOUTS)) {
  describe(`SqliteEventSource on ${layout}`, () => {
    let seeded: SeededEvents;
    let source: SqliteEventSource;
    beforeAll(async () => {
      seeded = seededEvents(SEED, { count: 4_000, from: FROM, minutes: 180 });
      const path = join(dir, `${layout.replaceAll(/\W+/g, '-')}.sqlite`);
      await write(path, seeded.events);
      source = new SqliteEventSource({ path });
    });
    afterAll(() => source.close());
    eventSourceContract(
      () => source,
      () => seeded,
      SEED,
    );
  });
}

describe('SqliteEventSource failures', () => {
  test('a missing file: SLO_STORE_NOT_INITIALISED naming the path; it works once the proxy has created the file', async () => {
    const path = join(dir, 'later', 'telemetry.sqlite');
    const source = new SqliteEventSource({ path });
    const error = await source.countGoodTotal({}, { type: 'availability' }, { from: 0, to: FROM }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'SLO_STORE_NOT_INITIALISED', details: { path } });
    expect((error as Error).message).toContain(path);
    const { events } = seededEvents(7, { count: 50, from: FROM, minutes: 5 });
    await writeWithProxySink(path, events);
    expect((await source.countGoodTotal({}, { type: 'availability' }, { from: 0, to: FROM + 10 * 60_000 })).total).toBe(events.filter((event) => !event.lookout.probe).length);
    await source.close();
  });

  test('a file without the events table: SLO_STORE_NOT_INITIALISED naming the path and the table', async () => {
    const path = join(dir, 'empty.sqlite');
    new DatabaseSync(path).close();
    const source = new SqliteEventSource({ path });
    await expect(source.thresholdSli({}, { type: 'threshold', metric: 'p99', limit: 1, windowMs: 1 }, { from: 0, to: 1 })).rejects.toMatchObject({
      code: 'SLO_STORE_NOT_INITIALISED',
      message: expect.stringContaining(`${path} has no request_events table`),
    });
    await source.close();
  });

  test('a file that is not a database: SLO_STORE_UNREACHABLE naming the path', async () => {
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(path, 'this is not a SQLite database, not at all; '.repeat(200));
    const source = new SqliteEventSource({ path });
    await expect(source.targets({ from: 0, to: 1 })).rejects.toMatchObject({ code: 'SLO_STORE_UNREACHABLE', message: expect.stringContaining(path) });
    await source.close();
  });

  test('a table that lacks the columns: SLO_STORE_QUERY_FAILED with SQLite reason', async () => {
    const path = join(dir, 'odd.sqlite');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE request_events (seq INTEGER PRIMARY KEY, ts INTEGER)');
    db.close();
    const source = new SqliteEventSource({ path });
    await expect(source.countPerMinute({ service: 'orders' }, { type: 'availability' }, { from: 0, to: 60_000 })).rejects.toMatchObject({
      code: 'SLO_STORE_QUERY_FAILED',
      message: expect.stringMatching(/odd\.sqlite failed: no such column/),
    });
    await source.close();
  });
});
