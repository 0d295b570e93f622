import { panel, type DashboardSpec } from './panel.ts';

const TIME = { kind: 'date_histogram' } as const;
const BY_SLO = { kind: 'terms', field: 'slo.name', size: 50, order: 'alphabetical', label: 'SLO' } as const;

/** "SLOs": current state per SLO, level, budget, burn rate and transitions. */
export const SLO_DASHBOARD: DashboardSpec = {
  key: 'slos',
  title: 'SLOs',
  description: 'State of every SLO the lookout slo-engine evaluates: GREEN, ORANGE, RED or NODATA, level (1 = 100 %), error budget, burn rate and state changes.',
  from: 'now-24h',
  refresh: '30s',
  panels: [
    panel({
      kind: 'aggregate', key: 'slo-state', title: 'SLO state', description: 'Latest evaluation of each SLO.',
      source: 'sloStatus', visual: 'table', width: 48, height: 12,
      buckets: [BY_SLO],
      metrics: [
        { kind: 'last_value', field: 'slo.status', label: 'State' },
        { kind: 'last_value', field: 'slo.level', label: 'Level' },
        { kind: 'last_value', field: 'slo.budget_remaining', label: 'Budget remaining' },
        { kind: 'last_value', field: 'slo.burn_rate', label: 'Burn rate' },
        { kind: 'last_value', field: 'slo.alert_tier', label: 'Alert tier' },
      ],
    }),
    panel({
      kind: 'aggregate', key: 'slo-level', title: 'Level', description: 'Level per SLO (orange from 80 %, red from 100 %, once held for the hold time).',
      source: 'sloStatus', visual: 'line', width: 24, height: 12,
      buckets: [BY_SLO, TIME], metrics: [{ kind: 'max', field: 'slo.level', label: 'Level' }],
    }),
    panel({
      kind: 'aggregate', key: 'slo-budget', title: 'Error budget remaining', description: 'Share of the error budget left (budget SLOs).',
      source: 'sloStatus', visual: 'line', width: 24, height: 12,
      buckets: [BY_SLO, TIME], metrics: [{ kind: 'min', field: 'slo.budget_remaining', label: 'Budget remaining' }],
    }),
    panel({
      kind: 'aggregate', key: 'slo-burn-rate', title: 'Burn rate', description: 'Burn rate over the shortest alert window (1 = spending the budget exactly over the SLO window).',
      source: 'sloStatus', visual: 'line', width: 24, height: 12,
      buckets: [BY_SLO, TIME], metrics: [{ kind: 'max', field: 'slo.burn_rate', label: 'Burn rate' }],
    }),
    panel({
      kind: 'aggregate', key: 'slo-transitions-over-time', title: 'Transitions by state entered', description: 'State and burn-rate tier changes over time.',
      source: 'sloTransitions', visual: 'bar_stacked', width: 24, height: 12,
      buckets: [{ kind: 'terms', field: 'slo.transition.to', size: 10, order: 'count', label: 'Entered' }, TIME],
      metrics: [{ kind: 'count', label: 'Transitions' }],
    }),
    panel({
      kind: 'documents', key: 'slo-transitions', title: 'Transitions', description: 'Latest state and burn-rate tier changes, newest first.',
      source: 'sloTransitions', width: 48, height: 14, size: 500,
      columns: ['slo.name', 'slo.transition.kind', 'slo.transition.from', 'slo.transition.to', 'slo.level', 'service.target.name'],
    }),
  ],
};
