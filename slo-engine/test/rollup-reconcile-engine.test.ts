import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@lookout/log';
import type { RequestEvent } from '@lookout/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { rollupReconcileMetrics } from '../src/api/rollup-reconcile-metrics.ts';
import { prometheusText } from '../src/api/prometheus-text.ts';
import { countBudgetWindows } from '../src/engine/budget-windows.ts';
import { RollupReconciler } from '../src/engine/rollup-reconciler.ts';
import { SloEngine } from '../src/engine/slo-engine.ts';
import { EngineError } from '../src/engine-error.ts';
import { SqliteEventSource } from '../src/events/sqlite-event-source.ts';
import type { BudgetSlo } from '../src/model/slo.ts';
import { SqliteEngineStore } from '../src/persistence/sqlite-engine-store.ts';
import { SqliteRollupStore } from '../src/rollups/sqlite-rollup-store.ts';
import { WindowCounter } from '../src/rollups/window-counter.ts';
import { countGoodTotal } from '../src/sli/level.ts';
import { seededEvents, seededRandom } from './event-source-fixture.ts';
import { ProxyEmbeddedWriter } from './event-source-seeding.ts';
import { CapturingLogger } from './notify-capturing-logger.ts';
import { watchedEventSource } from './watched-event-source.ts';

/*
 * The reconcile beside the engine's ticks on the embedded store and SQLite state: a source
 * failing while it runs is logged and counted, evaluation goes on with the rollups as they
 * were, and the next reconcile brings the SLO's counts to the exact ones.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.UTC(2026, 1, 3, 8, 0);
const NOW = FROM + 245 * MINUTE + 31_415;

const dir = mkdtempSync(join(tmpdir(), 'lookout-reconcile-engine-'));
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  rmSync(dir, { recursive: true, force: true });
});

const slo: BudgetSlo = {
  kind: 'budget',
  name: 'orders-availability',
  filter: { service: 'orders' },
  indicator: { type: 'availability' },
  objective: 0.9,
  windowMs: 4 * HOUR,
  states: { green: 0.6, orange: 0.8, red: 1 },
  holdMs: 5 * MINUTE,
  owners: { sli: [], slo: [] },
  minTraffic: 1,
};

function windowCounts(events: readonly RequestEvent[], now: number) {
  return countGoodTotal(slo.indicator, slo.filter, events.filter((event) => Date.parse(event['@timestamp']) >= now - slo.windowMs && Date.parse(event['@timestamp']) < now));
}

describe('rollup reconcile beside the engine', () => {
  it('a source failing during the reconcile is logged and counted while ticks go on; the next reconcile makes the counts exact', async () => {
    const writer = new ProxyEmbeddedWriter(join(dir, 'events.sqlite'));
    const events = new SqliteEventSource({ path: join(dir, 'events.sqlite') });
    const rollups = new SqliteRollupStore({ path: join(dir, 'state.sqlite') });
    const store = new SqliteEngineStore({ path: join(dir, 'state.sqlite') });
    closers.push(() => writer.close(), () => events.close(), () => rollups.close(), () => store.close());
    let failing = false;
    const source = watchedEventSource(events, () => {
      if (failing) throw new EngineError('SLO_STORE_QUERY_FAILED', `events in ${events.location}: the store rejected the query`);
    });
    const counter = new WindowCounter({ source, rollups });
    const engine = new SloEngine({
      slos: [slo],
      source,
      countBudget: (budgetSlo, now) => countBudgetWindows(counter, budgetSlo, now),
      store,
      instance: 'engine-1',
      leaseTtlMs: 60_000,
      links: { baseUrl: 'http://127.0.0.1:8090', dashboard: 'http://127.0.0.1:8090/' },
      planDeliveries: () => [],
      log: new Logger({}, 'fatal'),
    });
    const log = new CapturingLogger();
    const reconciler = new RollupReconciler({ reconcile: (horizonMs, now) => counter.reconcile(horizonMs, now), everyMs: 10 * MINUTE, horizonMs: 2 * HOUR, leader: () => engine.leader, log, now: () => NOW });

    // A quarter of the events of the last two settled hours reach the store after their minutes were rolled up.
    const random = seededRandom(7);
    const all = seededEvents(2_026, { count: 3_000, from: FROM, minutes: 240 }).events;
    const isLate = (event: RequestEvent) => {
      const ts = Date.parse(event['@timestamp']);
      return ts >= NOW - 2 * HOUR + MINUTE && ts < NOW - 6 * MINUTE;
    };
    const late = all.filter((event) => isLate(event) && random() < 0.25);
    writer.append(all.filter((event) => !late.includes(event)));
    await counter.retain([{ sli: slo, windowMs: slo.windowMs }], NOW);
    expect(await engine.tick(NOW)).toMatchObject({ leader: true, evaluated: 1, failed: 0 });
    writer.append(late);
    const missing = windowCounts(late, NOW);
    expect(missing.total).toBeGreaterThan(0);

    failing = true;
    const failed = await reconciler.runOnce();
    expect(failed?.failures).toHaveLength(1);
    expect(log.withCode('SLO_STORE_QUERY_FAILED')).toHaveLength(1);
    expect(reconciler.counters.failures).toBe(1);
    expect(await engine.tick(NOW + 10_000)).toMatchObject({ evaluated: 1, failed: 0 });
    const short = windowCounts(all, NOW + 10_000);
    expect(engine.view(slo.name)).toMatchObject({ good: short.good - missing.good, total: short.total - missing.total, error: null });

    failing = false;
    expect(await reconciler.runOnce()).toMatchObject({ addedEvents: missing.total, failures: [] });
    expect(await engine.tick(NOW + 20_000)).toMatchObject({ evaluated: 1, failed: 0 });
    expect(engine.view(slo.name)).toMatchObject({ ...windowCounts(all, NOW + 20_000), error: null });
    expect(log.lines.filter((line) => line.level === 'info')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ addedEvents: missing.total }) })]);
    const metrics = prometheusText(rollupReconcileMetrics(reconciler));
    expect(metrics).toContain('lookout_slo_rollup_reconcile_failures_total 1\n');
    expect(metrics).toContain(`lookout_slo_rollup_late_events_total ${missing.total}\n`);
  });
});
