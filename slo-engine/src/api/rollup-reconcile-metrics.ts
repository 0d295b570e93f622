import type { RollupReconciler } from '../engine/rollup-reconciler.ts';
import type { MetricFamily } from './prometheus-text.ts';

/** The rollup reconciler's counters as metric families. */
export function rollupReconcileMetrics(reconciler: RollupReconciler): MetricFamily[] {
  const counters = reconciler.counters;
  return [
    { name: 'lookout_slo_rollup_reconciles_total', type: 'counter', help: 'Reconcile runs: the rolled-up minutes within the horizon re-counted from raw events.', samples: [{ value: counters.runs }] },
    { name: 'lookout_slo_rollup_reconcile_failures_total', type: 'counter', help: 'SLIs whose reconcile failed (logged with their code; tried again at the next run).', samples: [{ value: counters.failures }] },
    { name: 'lookout_slo_rollup_reconciled_minutes_total', type: 'counter', help: 'Rolled-up minutes re-counted from raw events.', samples: [{ value: counters.minutes }] },
    { name: 'lookout_slo_rollup_rewritten_minutes_total', type: 'counter', help: 'Rolled-up minutes rewritten because late events had reached them.', samples: [{ value: counters.rewrittenMinutes }] },
    { name: 'lookout_slo_rollup_late_events_total', type: 'counter', help: 'Late events (arrived after their minute was rolled up) added to the rollups by the reconcile.', samples: [{ value: counters.addedEvents }] },
    {
      name: 'lookout_slo_rollup_last_reconcile_timestamp_seconds',
      type: 'gauge',
      help: 'When the last reconcile ran (Unix time).',
      samples: counters.lastRunAt === 0 ? [] : [{ value: counters.lastRunAt / 1_000 }],
    },
  ];
}
