import type { SloEngine } from '../engine/slo-engine.ts';
import type { SloStatus } from '../state/state-machine.ts';
import { prometheusText, type MetricFamily } from './prometheus-text.ts';

const STATUSES: readonly SloStatus[] = ['GREEN', 'ORANGE', 'RED', 'NODATA'];

/** Extra metric families from other parts (e.g. the delivery dispatcher's counters). */
export type MetricsSource = () => readonly MetricFamily[];

/** The engine's /metrics body: per-SLO gauges (level, status, budget, burn rates) and the loop's counters. */
export function engineMetricsText(engine: SloEngine, extra: readonly MetricsSource[] = []): string {
  const views = engine.views();
  const counters = engine.counters;
  const families: MetricFamily[] = [
    {
      name: 'lookout_slo_level',
      type: 'gauge',
      help: 'Level of the SLO, 1 = 100 % (error budget consumed, or SLI / limit). Absent in NODATA.',
      samples: views.flatMap((view) => (view.level === null ? [] : [{ labels: { slo: view.slo.name }, value: view.level }])),
    },
    {
      name: 'lookout_slo_status',
      type: 'gauge',
      help: 'State of the SLO: 1 for the current status, 0 for the others.',
      samples: views.flatMap((view) => STATUSES.map((status) => ({ labels: { slo: view.slo.name, status }, value: view.status === status ? 1 : 0 }))),
    },
    {
      name: 'lookout_slo_budget_remaining',
      type: 'gauge',
      help: 'Error budget left over the SLO window, 1 - level (budget SLOs).',
      samples: views.flatMap((view) => (view.budgetRemaining === null ? [] : [{ labels: { slo: view.slo.name }, value: view.budgetRemaining }])),
    },
    {
      name: 'lookout_slo_burn_rate',
      type: 'gauge',
      help: 'Error budget burn rate over each alert window (1 = spending the budget exactly over the SLO window).',
      samples: views.flatMap((view) => view.burnRates.map((burn) => ({ labels: { slo: view.slo.name, window_seconds: String(burn.windowMs / 1_000) }, value: burn.burnRate }))),
    },
    {
      name: 'lookout_slo_events',
      type: 'gauge',
      help: 'Events in the SLO window at the last evaluation.',
      samples: views.map((view) => ({ labels: { slo: view.slo.name }, value: view.total })),
    },
    {
      name: 'lookout_slo_alert_firing',
      type: 'gauge',
      help: 'Burn-rate alert tier firing (1) per SLO.',
      samples: views.flatMap((view) => (view.alertTier === null ? [] : [{ labels: { slo: view.slo.name, tier: view.alertTier }, value: 1 }])),
    },
    {
      name: 'lookout_slo_evaluation_failing',
      type: 'gauge',
      help: '1 when the last evaluation of the SLO failed (it keeps its previous state).',
      samples: views.map((view) => ({ labels: { slo: view.slo.name }, value: view.error === null ? 0 : 1 })),
    },
    { name: 'lookout_slo_engine_leader', type: 'gauge', help: '1 when this replica holds the lease and evaluates.', samples: [{ value: engine.leader ? 1 : 0 }] },
    { name: 'lookout_slo_engine_ticks_total', type: 'counter', help: 'Evaluation ticks run.', samples: [{ value: counters.ticks }] },
    { name: 'lookout_slo_engine_evaluations_total', type: 'counter', help: 'SLO evaluations committed.', samples: [{ value: counters.evaluations }] },
    { name: 'lookout_slo_engine_evaluation_failures_total', type: 'counter', help: 'SLO evaluations that failed (store errors).', samples: [{ value: counters.evaluationFailures }] },
    { name: 'lookout_slo_engine_transitions_total', type: 'counter', help: 'State and burn-rate transitions.', samples: [{ value: counters.transitions }] },
    { name: 'lookout_slo_engine_notifications_total', type: 'counter', help: 'Notifications created (each has one delivery per recipient).', samples: [{ value: counters.notifications }] },
    { name: 'lookout_slo_engine_last_tick_duration_seconds', type: 'gauge', help: 'Duration of the last tick.', samples: [{ value: counters.lastTickDurationMs / 1_000 }] },
    { name: 'lookout_slo_engine_last_tick_timestamp_seconds', type: 'gauge', help: 'When the last tick ran (Unix time).', samples: counters.lastTickAt === 0 ? [] : [{ value: counters.lastTickAt / 1_000 }] },
  ];
  for (const source of extra) families.push(...source());
  return prometheusText(families);
}
