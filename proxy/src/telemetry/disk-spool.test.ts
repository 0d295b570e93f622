import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleRequestEvent } from '@lookout/telemetry';
import { afterAll, describe, expect, test } from 'vitest';
import { Logger } from '../log.ts';
import { bulkPair } from './bulk-body.ts';
import { DiskSpool, type DiskSpoolOptions } from './disk-spool.ts';
import { createTelemetryCounters } from './telemetry-counters.ts';

const log = new Logger({}, 'fatal');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-spool-unit-'));
  dirs.push(dir);
  return dir;
}

function batch(from: number, count: number): Buffer {
  let text = '';
  for (let i = from; i < from + count; i++) {
    const event = exampleRequestEvent();
    event.event.id = `019aab4c-7e0b-7a1c-8d2e-${String(i).padStart(12, '0')}`;
    text += bulkPair(event);
  }
  return Buffer.from(text);
}

function options(directory: string, extra: Partial<DiskSpoolOptions> = {}): DiskSpoolOptions {
  return { directory, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024, whenFull: 'drop-oldest', fsyncInterval: 0, ...extra };
}

describe('DiskSpool', () => {
  test('replays in order across segments and deletes each segment once delivered', async () => {
    const dir = tempDir();
    const counters = createTelemetryCounters();
    const spool = await DiskSpool.open(options(dir), counters, log);
    for (let b = 0; b < 10; b++) spool.append(batch(b * 20, 20), 20);
    await spool.written();
    expect(readdirSync(spool.path).filter((name) => name.startsWith('segment-')).length).toBeGreaterThan(2);
    const ids: string[] = [];
    for (let guard = 0; guard < 100; guard++) {
      const chunk = await spool.read(15, 1024 * 1024);
      if (!chunk) break;
      for (const line of chunk.body.toString().split('\n').filter((_, i) => i % 2 === 0 && _)) ids.push(JSON.parse(line).create._id);
      spool.consume(chunk);
    }
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => `019aab4c-7e0b-7a1c-8d2e-${String(i).padStart(12, '0')}`));
    expect(spool.events).toBe(0);
    spool.compact();
    await spool.close();
    expect(readdirSync(join(dir, 'slot-0'))).toEqual([]);
    expect(counters.spooled).toBe(200);
  });

  test('survives a restart and cuts a torn last record', async () => {
    const dir = tempDir();
    const first = await DiskSpool.open(options(dir), createTelemetryCounters(), log);
    first.append(batch(0, 30), 30);
    await first.close();
    const segment = readdirSync(join(dir, 'slot-0')).find((name) => name.startsWith('segment-'))!;
    const path = join(dir, 'slot-0', segment);
    const whole = statSync(path).size;
    appendFileSync(path, batch(30, 1).subarray(0, 100)); // a write cut short by a crash
    const second = await DiskSpool.open(options(dir), createTelemetryCounters(), log);
    expect(second.events).toBe(30);
    expect(statSync(path).size).toBe(whole);
    const chunk = await second.read(1000, 1024 * 1024);
    expect(chunk?.events).toBe(30);
    await second.close();
  });

  test('gives each live process its own slot and adopts the segments of a dead one', async () => {
    const dir = tempDir();
    const a = await DiskSpool.open(options(dir), createTelemetryCounters(), log);
    const b = await DiskSpool.open(options(dir), createTelemetryCounters(), log);
    expect([a.path, b.path].map((p) => p.slice(dir.length))).toEqual(['/slot-0', '/slot-1']);
    b.append(batch(0, 5), 5);
    await b.close();
    writeFileSync(join(dir, 'slot-1', 'owner'), '999999999'); // a process that no longer exists
    await a.close();
    const c = await DiskSpool.open(options(dir), createTelemetryCounters(), log);
    expect(c.path.slice(dir.length)).toBe('/slot-0');
    expect(c.events).toBe(5);
    expect(readdirSync(dir)).toEqual(['slot-0']);
    await c.close();
  });

  test('drop-newest keeps what fits of a batch and counts the rest exactly', async () => {
    const dir = tempDir();
    const counters = createTelemetryCounters();
    const one = batch(0, 1).length;
    const spool = await DiskSpool.open(options(dir, { maxBytes: one * 25, segmentBytes: one * 10, whenFull: 'drop-newest' }), counters, log);
    expect(spool.append(batch(0, 20), 20)).toBe(20);
    expect(spool.append(batch(20, 20), 20)).toBe(5);
    expect(counters.dropped.spool_full).toBe(15);
    expect(spool.events).toBe(25);
    await spool.close();
  });

  test('drop-oldest deletes the oldest segments and counts their events exactly', async () => {
    const dir = tempDir();
    const counters = createTelemetryCounters();
    const one = batch(0, 1).length;
    const spool = await DiskSpool.open(options(dir, { maxBytes: one * 25, segmentBytes: one * 10 }), counters, log);
    for (let b = 0; b < 6; b++) spool.append(batch(b * 10, 10), 10);
    expect(counters.dropped.spool_full).toBe(40);
    expect(spool.events).toBe(20);
    await spool.written();
    const chunk = await spool.read(100, 1024 * 1024);
    expect(JSON.parse(chunk!.body.toString().split('\n')[0]!).create._id).toBe('019aab4c-7e0b-7a1c-8d2e-000000000040');
    spool.consume(chunk!);
    await spool.close();
  });
});
