import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { createTelemetryPipeline } from '../../src/telemetry/create-telemetry-pipeline.ts';
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
    const rows = db.prepare('SELECT event_id, ts, service, status, outcome, duration_ns, termination, probe, doc FROM request_events ORDER BY seq').all();
    db.close();
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
    });
    expect(JSON.parse(rows[1]!.doc as string)).toEqual(probe);
    expect(rows[0]).toMatchObject({ service: 'my-service3', probe: 0, status: 200 });
  });
});
