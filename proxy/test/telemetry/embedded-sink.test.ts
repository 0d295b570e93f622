import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createTelemetryPipeline } from '../../src/telemetry/create-telemetry-pipeline.ts';
import { EMBEDDED_SCHEMA_VERSION } from '../../src/telemetry/embedded-sink.ts';
import { telemetryConfigSchema } from '../../src/telemetry/telemetry-config.ts';
import { CapturingLogger } from './capturing-logger.ts';
import { eventFactory } from './test-events.ts';
import { sleep, tempDir } from './pipeline-helpers.ts';

const READER = fileURLToPath(new URL('./sqlite-reader-child.ts', import.meta.url));

function embeddedPipeline(path: string) {
  const log = new CapturingLogger();
  return { log, pipeline: createTelemetryPipeline(telemetryConfigSchema.parse({ sink: 'embedded', embedded: { path } }), log) };
}

describe('embedded sink (SQLite, WAL)', () => {
  test('another process reads the rows while the proxy writes them', async () => {
    const path = join(tempDir(), 'data', 'telemetry.sqlite');
    const { pipeline } = embeddedPipeline(path);
    await pipeline.start();
    const events = eventFactory();
    const n = 6_000;
    const reader = spawn(process.execPath, [READER, path, String(n), '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    reader.stdout!.on('data', (chunk: Buffer) => (out += chunk));
    reader.stderr!.on('data', (chunk: Buffer) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => reader.once('exit', resolve));
    // 2000 events per second for 3 s, in 50 ms steps.
    for (let step = 0; step < 60; step++) {
      for (let i = 0; i < 100; i++) pipeline.emit(events.event(step * 100 + i));
      await sleep(50);
    }
    await pipeline.close();
    expect(await exited).toBe(0);
    expect(err).toBe('');
    const seen = out.trim().split('\n').map((line) => JSON.parse(line) as { count: number });
    const counts = seen.map((row) => row.count);
    expect(counts[counts.length - 1]).toBe(n);
    expect(counts.filter((count) => count > 0 && count < n).length).toBeGreaterThan(10); // it watched the rows arrive
    expect([...counts].sort((a, b) => a - b)).toEqual(counts); // never saw rows disappear
    expect(pipeline.counters).toMatchObject({ emitted: n, delivered: n });
  });

  test('stores the event JSON with queryable columns, and ignores an event id it already has', async () => {
    const path = join(tempDir(), 'telemetry.sqlite');
    const { pipeline } = embeddedPipeline(path);
    await pipeline.start();
    const events = eventFactory();
    const probe = events.event(1);
    probe.lookout.probe = true;
    probe.http.response.status_code = 503;
    probe.event.outcome = 'failure';
    probe.lookout.termination = 'upstream_reset';
    delete probe.service.target;
    pipeline.emit(events.event(0));
    pipeline.emit(probe);
    pipeline.emit(events.event(0));
    await pipeline.close();

    const db = new DatabaseSync(path, { readOnly: true });
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    const rows = db.prepare('SELECT event_id, ts, service, status, outcome, duration_ns, termination, probe, domain, path, doc FROM request_events ORDER BY seq').all();
    const version = db.prepare(`SELECT value FROM lookout_meta WHERE key = 'schema_version'`).get();
    db.close();
    expect(version).toEqual({ value: String(EMBEDDED_SCHEMA_VERSION) });
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      event_id: events.id(1),
      ts: Date.parse(probe['@timestamp']),
      service: null,
      status: 503,
      outcome: 'failure',
      duration_ns: probe.event.duration,
      termination: 'upstream_reset',
      probe: 1,
      domain: probe.url.domain,
      path: probe.url.path,
    });
    expect(JSON.parse(rows[1]!.doc as string)).toEqual(probe);
    expect(rows[0]).toMatchObject({ service: 'my-service3', probe: 0, status: 200 });
  });

  test('migrates a version-1 file on open: adds domain and path, keeps the old rows, indexes the new columns', async () => {
    const path = join(tempDir(), 'telemetry.sqlite');
    const events = eventFactory();
    const old = events.event(0);
    const v1 = new DatabaseSync(path);
    v1.exec(VERSION_1_LAYOUT);
    v1.prepare(
      'INSERT INTO request_events (event_id, ts, service, status, outcome, duration_ns, termination, probe, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(old.event.id, Date.parse(old['@timestamp']), 'my-service3', 200, 'success', old.event.duration, 'ok', 0, JSON.stringify(old));
    v1.close();

    const { pipeline } = embeddedPipeline(path);
    await pipeline.start();
    const fresh = events.event(1);
    fresh.url.domain = 'other.example.com';
    fresh.url.path = '/v2/items';
    pipeline.emit(fresh);
    await pipeline.close();
    // A second open finds nothing left to migrate.
    const again = embeddedPipeline(path);
    await again.pipeline.start();
    await again.pipeline.close();

    const db = new DatabaseSync(path, { readOnly: true });
    const rows = db.prepare(`SELECT event_id, domain, path, json_extract(doc, '$.url.domain') AS doc_domain FROM request_events ORDER BY seq`).all();
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'request_events' AND sql IS NOT NULL ORDER BY name`).all();
    const version = db.prepare(`SELECT value FROM lookout_meta WHERE key = 'schema_version'`).get();
    db.close();
    expect(rows).toEqual([
      { event_id: events.id(0), domain: null, path: null, doc_domain: old.url.domain },
      { event_id: events.id(1), domain: 'other.example.com', path: '/v2/items', doc_domain: 'other.example.com' },
    ]);
    expect(indexes.map((row) => row.name)).toEqual(['request_events_domain_ts', 'request_events_service_ts', 'request_events_ts']);
    expect(version).toEqual({ value: '2' });
  });
});

/** The table as version 1 of the sink created it. */
const VERSION_1_LAYOUT = `
CREATE TABLE request_events (
  seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, service TEXT, status INTEGER NOT NULL,
  outcome TEXT NOT NULL, duration_ns INTEGER NOT NULL, termination TEXT NOT NULL, probe INTEGER NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX request_events_ts ON request_events (ts);
CREATE INDEX request_events_service_ts ON request_events (service, ts);
CREATE TABLE lookout_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO lookout_meta (key, value) VALUES ('schema_version', '1');
`;
