import { describe, expect, it } from 'vitest';
import type { BudgetSlo, ThresholdSlo } from '../model/slo.ts';
import { burnRateTiers } from '../state/burn-rate.ts';
import type { SloEvaluation } from './evaluate-slo.ts';
import { decideSloStep, describeSlo, notificationId } from './slo-step.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const links = { baseUrl: 'http://engine.test', dashboard: 'http://engine.test/' };

const budget: BudgetSlo = {
  name: 'api-availability',
  filter: { service: 'api' },
  states: { green: 0.6, orange: 0.8, red: 1 },
  holdMs: 5 * MINUTE,
  owners: { sli: ['sli@example.com'], slo: ['slo@example.com'] },
  minTraffic: 10,
  kind: 'budget',
  indicator: { type: 'availability' },
  objective: 0.999,
  windowMs: 30 * 24 * 60 * MINUTE,
};

function evaluation(at: number, level: number | undefined, extra: Partial<SloEvaluation> = {}): SloEvaluation {
  return {
    at,
    level,
    total: level === undefined ? 0 : 1_000,
    good: undefined,
    sli: undefined,
    budgetRemaining: level === undefined ? null : 1 - level,
    burnRates: [],
    currentBurnRate: null,
    timeToExhaustionSeconds: null,
    alert: { firing: undefined, suppressed: [] },
    ...extra,
  };
}

/** Runs the SLO through levels, one evaluation per tick, and collects the notifications. */
function run(levels: readonly (number | undefined)[], tickMs = 30_000) {
  let persisted;
  const notifications = [];
  const transitions = [];
  for (const [index, level] of levels.entries()) {
    const step = decideSloStep(budget, persisted, evaluation(T0 + index * tickMs, level), links);
    persisted = step.persisted;
    notifications.push(...step.notifications);
    transitions.push(...step.transitions);
  }
  return { persisted, notifications, transitions };
}

describe('decideSloStep', () => {
  it('notifies orange to the SLI owners after the hold, with the facts of the payload', () => {
    const { persisted, notifications } = run(Array(12).fill(0.85));
    expect(persisted?.state.status).toBe('ORANGE');
    expect(notifications).toHaveLength(1);
    const [orange] = notifications;
    expect(orange).toMatchObject({
      type: 'slo.state.changed',
      state: { from: 'GREEN', to: 'ORANGE' },
      level: 0.85,
      audience: 'sli',
      slo: { name: 'api-availability', service: 'api', kind: 'budget', indicator: 'availability', objective: 0.999, window: '30d' },
      links: { slo: 'http://engine.test/api/slos/api-availability', dashboard: 'http://engine.test/' },
    });
    expect(orange?.budgetRemaining).toBeCloseTo(0.15, 10);
    expect(orange?.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('derives the same notification id when the same transition is decided again from the same persisted state', () => {
    const before = run(Array(10).fill(0.85)).persisted;
    const first = decideSloStep(budget, before, evaluation(T0 + 10 * 30_000, 0.85), links);
    const again = decideSloStep(budget, before, evaluation(T0 + 11 * 30_000, 0.85), links);
    expect(first.notifications[0]?.id).toBeDefined();
    expect(again.notifications[0]?.id).toBe(first.notifications[0]?.id);
  });

  it('records red for SLO and SLI owners, then recovery to the same audience', () => {
    const { notifications, transitions } = run([...Array(12).fill(1.05), ...Array(12).fill(0.5)]);
    expect(notifications.map((n) => [n.state.from, n.state.to, n.audience])).toEqual([
      ['GREEN', 'RED', 'slo+sli'],
      ['RED', 'GREEN', 'slo+sli'],
    ]);
    expect(new Set(transitions.map((t) => t.id)).size).toBe(transitions.length);
  });

  it('records the change to NODATA without notifying', () => {
    const { notifications, transitions, persisted } = run([0.1, undefined]);
    expect(persisted?.state.status).toBe('NODATA');
    expect(notifications).toHaveLength(0);
    expect(transitions.map((t) => [t.from, t.to])).toEqual([['GREEN', 'NODATA']]);
  });

  it('notifies a burn-rate tier firing and its resolution, paging tiers to SLO and SLI owners', () => {
    const tiers = burnRateTiers(budget.windowMs);
    const fast = tiers[0]!;
    const firing = decideSloStep(budget, undefined, evaluation(T0, 0.3, { alert: { firing: fast, suppressed: [tiers[1]!] }, burnRates: [{ windowMs: fast.shortWindowMs, burnRate: 20, total: 500 }, { windowMs: fast.longWindowMs, burnRate: 15, total: 5_000 }] }), links);
    const fired = firing.notifications.find((n) => n.type === 'slo.burn_rate.firing');
    expect(fired).toMatchObject({ audience: 'slo+sli', burnRate: { tier: 'page-fast', severity: 'page', factor: 14.4, longWindow: '1h', shortWindow: '5m', longBurnRate: 15, shortBurnRate: 20 } });
    expect(firing.persisted.burnAlert).toEqual({ tier: 'page-fast', since: T0 });

    const resolved = decideSloStep(budget, firing.persisted, evaluation(T0 + 30_000, 0.3), links);
    expect(resolved.notifications).toHaveLength(1);
    expect(resolved.notifications[0]).toMatchObject({ type: 'slo.burn_rate.resolved', audience: 'slo+sli', burnRate: { tier: 'page-fast' } });
    expect(resolved.persisted.burnAlert).toEqual({ tier: null, since: null });
    expect(resolved.notifications[0]?.id).toBe(notificationId('api-availability', 'burn-rate', 'page-fast', 'none', T0));
  });

  it('describes threshold SLOs in words', () => {
    const threshold: ThresholdSlo = { ...budget, kind: 'threshold', indicator: { type: 'threshold', metric: 'error-rate', limit: 0.01, windowMs: 5 * MINUTE }, windowMs: 5 * MINUTE };
    expect(describeSlo(threshold)).toMatchObject({ indicator: 'error-rate <= 1 %', window: '5m', kind: 'threshold' });
    expect(describeSlo({ ...threshold, indicator: { ...threshold.indicator, metric: 'p99', limit: 250 } })).toMatchObject({ indicator: 'p99 <= 250 ms' });
    expect(describeSlo({ ...budget, indicator: { type: 'latency', thresholdMs: 137 } })).toMatchObject({ indicator: 'latency <= 137 ms' });
  });
});
