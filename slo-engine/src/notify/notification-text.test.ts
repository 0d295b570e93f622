import { describe, expect, it } from 'vitest';
import { sampleNotification } from '../../test/notify-fixtures.ts';
import { humanDuration, formatPercent, notificationFacts, notificationSubject } from './notification-text.ts';

describe('notification text', () => {
  it('formats shares as percents', () => {
    expect(formatPercent(1.04)).toBe('104 %');
    expect(formatPercent(0.004)).toBe('0.4 %');
    expect(formatPercent(-0.04)).toBe('-4 %');
    expect(formatPercent(0)).toBe('0 %');
  });

  it('formats durations with the two largest units', () => {
    expect(humanDuration(45)).toBe('45 s');
    expect(humanDuration(14 * 60)).toBe('14 min');
    expect(humanDuration(5 * 3600 + 12 * 60 + 9)).toBe('5 h 12 min');
    expect(humanDuration(2 * 86_400 + 3 * 3600)).toBe('2 d 3 h');
    expect(humanDuration(2 * 86_400 + 5 * 60)).toBe('2 d');
  });

  it('writes subjects an on-call engineer triages from', () => {
    expect(notificationSubject(sampleNotification())).toBe('[RED] api-availability: 104 % of error budget consumed');
    expect(notificationSubject(sampleNotification({ state: { from: 'GREEN', to: 'ORANGE' }, level: 0.85 }))).toBe('[ORANGE] api-availability: 85 % of error budget consumed');
    expect(notificationSubject(sampleNotification({ state: { from: 'RED', to: 'GREEN' }, level: 0.55 }))).toBe(
      '[GREEN] api-availability: recovered from RED, 55 % of error budget consumed',
    );
    const threshold = sampleNotification({ slo: { name: 'checkout-p99', kind: 'threshold', indicator: 'p99 <= 250 ms', window: '5m' }, level: 1.12, budgetRemaining: null });
    expect(notificationSubject(threshold)).toBe('[RED] checkout-p99: 112 % of its limit (p99 <= 250 ms)');
    const burn = sampleNotification({
      type: 'slo.burn_rate.firing',
      burnRate: { tier: 'page-1h', severity: 'page', factor: 14.4, longWindow: '1h', shortWindow: '5m', longBurnRate: 15.23, shortBurnRate: 16 },
    });
    expect(notificationSubject(burn)).toBe('[PAGE] api-availability: error budget burning at 15.2x (1h/5m, alert at 14.4x)');
    expect(notificationSubject({ ...burn, type: 'slo.burn_rate.resolved' })).toBe('[RESOLVED] api-availability: burn-rate alert 1h/5m resolved');
  });

  it('lists the facts: SLO, state, level, budget, time to exhaustion, links', () => {
    const facts = new Map(notificationFacts(sampleNotification({ budgetRemaining: 0.3, level: 0.7, timeToExhaustionSeconds: 7_200 })));
    expect(facts.get('SLO')).toBe('api-availability (Public API answers without server errors)');
    expect(facts.get('Scope')).toBe('service api');
    expect(facts.get('Indicator')).toBe('availability, objective 99.9 % over 30d');
    expect(facts.get('State')).toBe('ORANGE -> RED');
    expect(facts.get('Budget remaining')).toBe('30 %');
    expect(facts.get('Time to exhaustion')).toBe('2 h at the current burn rate');
    expect(facts.get('SLO details')).toBe('http://127.0.0.1:8090/slos/api-availability');
    expect(facts.get('Dashboard')).toBe('http://127.0.0.1:8090/');
    expect(new Map(notificationFacts(sampleNotification())).get('Time to exhaustion')).toBe('exhausted');
  });
});
