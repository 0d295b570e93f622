import { afterEach, describe, expect, it, vi } from 'vitest';
import { CapturingLogger } from '../../test/notify-capturing-logger.ts';
import { rollupReconcileMetrics } from '../api/rollup-reconcile-metrics.ts';
import { prometheusText } from '../api/prometheus-text.ts';
import { EngineError } from '../engine-error.ts';
import type { ReconcileReport } from '../rollups/window-counter.ts';
import { RollupReconciler, type RollupReconcilerOptions } from './rollup-reconciler.ts';

const MINUTE = 60_000;
const NOTHING_LATE: ReconcileReport = { keys: 2, minutes: 240, rewrittenMinutes: 0, addedEvents: 0, failures: [] };

function reconciler(reconcile: RollupReconcilerOptions['reconcile'], options: Partial<RollupReconcilerOptions> = {}) {
  const log = new CapturingLogger();
  return { log, reconciler: new RollupReconciler({ reconcile, everyMs: 10 * MINUTE, horizonMs: 120 * MINUTE, leader: () => true, log, now: () => 1_800_000_000_000, ...options }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RollupReconciler', () => {
  it('passes the horizon, logs what it corrected and counts it', async () => {
    const reconcile = vi.fn(async () => ({ keys: 2, minutes: 240, rewrittenMinutes: 60, addedEvents: 42, failures: [] }));
    const { log, reconciler: r } = reconciler(reconcile);
    expect(await r.runOnce()).toMatchObject({ addedEvents: 42 });
    expect(reconcile).toHaveBeenCalledWith(120 * MINUTE, 1_800_000_000_000);
    expect(log.lines).toEqual([
      { level: 'info', fields: { keys: 2, minutes: 240, rewrittenMinutes: 60, addedEvents: 42, durationMs: expect.any(Number) }, msg: 'slo-engine: reconciled the rollups of the last 2h: 42 late events counted, 60 minutes rewritten' },
    ]);
    await r.runOnce();
    expect(r.counters).toEqual({ runs: 2, failures: 0, minutes: 480, rewrittenMinutes: 120, addedEvents: 84, lastRunAt: 1_800_000_000_000 });
  });

  it('logs a run that found nothing late at debug level only', async () => {
    const { log, reconciler: r } = reconciler(async () => NOTHING_LATE);
    await r.runOnce();
    expect(log.lines.map((line) => line.level)).toEqual(['debug']);
  });

  it('never throws: a failed run is logged with its code and counted, and the next run goes on', async () => {
    let down = true;
    const { log, reconciler: r } = reconciler(async () => {
      if (down) throw new EngineError('SLO_STORE_UNREACHABLE', 'events in http://127.0.0.1:1/lookout-requests: connect ECONNREFUSED');
      return NOTHING_LATE;
    });
    await expect(r.runOnce()).resolves.toBeUndefined();
    expect(log.withCode('SLO_STORE_UNREACHABLE')).toEqual([
      { level: 'warn', fields: expect.objectContaining({ code: 'SLO_STORE_UNREACHABLE' }), msg: 'slo-engine: reconciling the rollups of the last 2h failed, next try in 10m: events in http://127.0.0.1:1/lookout-requests: connect ECONNREFUSED' },
    ]);
    expect(r.counters).toMatchObject({ runs: 1, failures: 1 });
    down = false;
    await expect(r.runOnce()).resolves.toEqual(NOTHING_LATE);
    expect(r.counters).toMatchObject({ runs: 2, failures: 1, minutes: 240 });
  });

  it('logs the SLIs whose reconcile failed with the first code, and counts each of them', async () => {
    const error = new EngineError('SLO_STORE_QUERY_FAILED', 'the store rejected the query');
    const { log, reconciler: r } = reconciler(async () => ({ keys: 3, minutes: 360, rewrittenMinutes: 0, addedEvents: 0, failures: [{ key: 'latency-a', error }, { key: 'latency-b', error }] }));
    await r.runOnce();
    expect(log.withCode('SLO_STORE_QUERY_FAILED')).toEqual([
      { level: 'warn', fields: { code: 'SLO_STORE_QUERY_FAILED', keys: ['latency-a', 'latency-b'], err: error }, msg: 'slo-engine: reconciling the rollups of 2 SLIs failed, next try in 10m: the store rejected the query' },
    ]);
    expect(r.counters.failures).toBe(2);
  });

  it('reconciles only on the replica holding the lease', async () => {
    let leader = false;
    const reconcile = vi.fn(async () => NOTHING_LATE);
    const { reconciler: r } = reconciler(reconcile, { leader: () => leader });
    expect(await r.runOnce()).toBeUndefined();
    expect(reconcile).not.toHaveBeenCalled();
    expect(r.counters.runs).toBe(0);
    leader = true;
    await r.runOnce();
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  it('runs every `every` once started, the first one `every` after the start; stop waits for a running reconcile', async () => {
    vi.useFakeTimers();
    let finish: () => void = () => undefined;
    const reconcile = vi.fn(() => new Promise<ReconcileReport>((resolve) => (finish = () => resolve(NOTHING_LATE))));
    const { reconciler: r } = reconciler(reconcile);
    r.start();
    await vi.advanceTimersByTimeAsync(10 * MINUTE - 1);
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(reconcile).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(reconcile).toHaveBeenCalledTimes(2);
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(reconcile).toHaveBeenCalledTimes(2);
  });

  it('exposes its counters as Prometheus metrics', async () => {
    const { reconciler: r } = reconciler(async () => ({ keys: 1, minutes: 120, rewrittenMinutes: 45, addedEvents: 7, failures: [{ key: 'k', error: new Error('x') }] }));
    await r.runOnce();
    const text = prometheusText(rollupReconcileMetrics(r));
    expect(text).toContain('lookout_slo_rollup_reconciles_total 1\n');
    expect(text).toContain('lookout_slo_rollup_reconcile_failures_total 1\n');
    expect(text).toContain('lookout_slo_rollup_reconciled_minutes_total 120\n');
    expect(text).toContain('lookout_slo_rollup_rewritten_minutes_total 45\n');
    expect(text).toContain('lookout_slo_rollup_late_events_total 7\n');
    expect(text).toContain('lookout_slo_rollup_last_reconcile_timestamp_seconds 1800000000\n');
  });
});
