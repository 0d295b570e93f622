import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { EngineStore } from '../src/persistence/engine-store.ts';
import type { RaceBackend, RaceChildConfig, RaceLine } from './engine-store-race-child.ts';
import { testDelivery, testPersisted } from './engine-store-fixtures.ts';

const CHILD = fileURLToPath(new URL('./engine-store-race-child.ts', import.meta.url));

export interface RaceOptions {
  /** Where both processes meet. */
  readonly backend: RaceBackend;
  /** A store on that backend, for seeding and checking from the test process. */
  readonly open: () => EngineStore;
  readonly deliveries: number;
  readonly durationMs: number;
  readonly ttlMs: number;
  /** Claims per turn (made concurrently within a process). */
  readonly batch: number;
}

interface ChildResult {
  readonly holder: string;
  readonly lines: RaceLine[];
  readonly stderr: string;
  readonly code: number | null;
}

/**
 * Two engine processes on one store, racing: seeds `deliveries` due deliveries, starts both
 * children at the same instant, and asserts that
 * - every delivery was claimed by exactly one process (and is delivered once in the store);
 * - the intervals in which each process believed it held the lease never overlap, and the lease
 *   changed hands;
 * - every transition the store accepted was committed by a process inside one of its own lease
 *   intervals, and every commit a process saw succeed is in the store.
 */
export async function raceTwoProcesses(options: RaceOptions): Promise<void> {
  const seeder = options.open();
  const now = Date.now();
  const ids = Array.from({ length: options.deliveries }, (_, i) => `race-${String(i).padStart(4, '0')}`);
  try {
    expect(await seeder.acquireLease('seeder', now, 60_000)).toBe(true);
    await seeder.commit('seeder', now, {
      state: testPersisted('seed', now),
      transitions: [],
      deliveries: ids.map((id, i) => testDelivery(id, { createdAt: now - 10_000 + i, nextAttemptAt: now - 5_000 })),
    });
    await seeder.releaseLease('seeder');

    const startAt = Date.now() + 2_500;
    const results = await Promise.all(
      ['engine-a', 'engine-b'].map((holder) =>
        runChild({ ...options.backend, holder, startAt, durationMs: options.durationMs, ttlMs: options.ttlMs, batch: options.batch }, options.durationMs + 30_000),
      ),
    );
    for (const result of results) expect(result.code, `${result.holder} exited with ${result.code}: ${result.stderr}`).toBe(0);

    const summary = results.map(({ holder, lines }) => {
      const { fenced, claimAttempts, turns } = done(lines);
      const claims = lines.filter((line) => line.t === 'claim').length;
      return `${holder}: ${turns} turns, ${done(lines).intervals.length} lease intervals, ${lines.filter((line) => line.t === 'commit').length} commits, ${fenced} fenced, ${claims}/${claimAttempts} claims won`;
    });
    console.log(`race on ${options.backend.backend}: ${summary.join('; ')}`);

    // Claims: each delivery exactly once, across both processes.
    const claimedBy = new Map<string, string[]>();
    for (const { holder, lines } of results) {
      for (const line of lines) if (line.t === 'claim') claimedBy.set(line.id, [...(claimedBy.get(line.id) ?? []), holder]);
    }
    expect([...claimedBy.keys()].sort()).toEqual(ids);
    expect([...claimedBy.entries()].filter(([, holders]) => holders.length !== 1)).toEqual([]);
    const delivered = await seeder.deliveries({ status: 'delivered', limit: 10_000 });
    expect(delivered.map((d) => d.id).sort()).toEqual(ids);

    // Lease: the believed intervals of the two processes never overlap; the lease changed hands.
    const intervals = new Map(results.map(({ holder, lines }) => [holder, done(lines).intervals]));
    const [a, b] = [intervals.get('engine-a')!, intervals.get('engine-b')!];
    const overlaps = a.flatMap((x) => b.filter((y) => x.start < y.end && y.start < x.end).map((y) => ({ a: x, b: y })));
    expect(overlaps).toEqual([]);
    expect(a.length, 'engine-a never held the lease').toBeGreaterThan(0);
    expect(b.length, 'engine-b never held the lease').toBeGreaterThan(0);

    // Fencing: accepted commits lie inside their committer's intervals; seen commits are stored.
    const stored = await seeder.transitions({ slo: 'race', limit: 10_000 });
    const outside = stored.filter((t) => {
      const holder = t.id.startsWith('engine-a-') ? 'engine-a' : 'engine-b';
      // `end` is the expiry asked for (a commit needs expiry > at) or the instant the process
      // began releasing, after its last commit (which may share that millisecond).
      return !intervals.get(holder)!.some((interval) => interval.start <= t.at && t.at <= interval.end);
    });
    const near = (at: number): string =>
      [...intervals].map(([holder, list]) => `${holder} ${JSON.stringify(list.filter((i) => i.end > at - 1_000 && i.start < at + 1_000))}`).join('; ');
    expect(outside.map((t) => `${t.id} at ${t.at}: ${near(t.at)}`)).toEqual([]);
    const seen = results.flatMap(({ lines }) => lines.flatMap((line) => (line.t === 'commit' ? [line.id] : [])));
    expect(stored.map((t) => t.id).sort()).toEqual(seen.sort());
    expect(results.every(({ lines }) => done(lines).fenced > 0), 'each process had commits refused while the other held the lease').toBe(true);

  } finally {
    await seeder.close();
  }
}

function done(lines: readonly RaceLine[]): Extract<RaceLine, { t: 'done' }> {
  const last = lines.find((line): line is Extract<RaceLine, { t: 'done' }> => line.t === 'done');
  if (last === undefined) throw new Error('a race process printed no summary');
  return last;
}

function runChild(config: RaceChildConfig, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${config.holder} still running after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as RaceLine);
      resolve({ holder: config.holder, lines, stderr, code });
    });
  });
}
