import { describe, expect, it } from 'vitest';
import { sampleNotification } from '../../test/notify-fixtures.ts';
import { ALERTMANAGER_ZERO_TIME, alertmanagerPayload, labelsFingerprint } from './alertmanager-payload.ts';

describe('Alertmanager payload', () => {
  it("computes Prometheus' label-set fingerprint (vectors of prometheus/common model tests)", () => {
    expect(labelsFingerprint({})).toBe('cbf29ce484222325'); // 14695981039346656037
    expect(labelsFingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe('507a62d79ee76c9a'); // 5799056148416392346
    expect(labelsFingerprint({ fear: 'love is not enough', name: 'garland, briggs' })).toBe('507a62d79ee76c9a');
  });

  it('posts a RED transition as webhook_config message version 4 with critical and warning alerts firing', () => {
    const payload = alertmanagerPayload(sampleNotification(), 'oncall');
    expect(payload).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'oncall',
      groupKey: '{}:{slo="api-availability"}',
      truncatedAlerts: 0,
      groupLabels: { slo: 'api-availability' },
      commonLabels: { alertname: 'SLOErrorBudget', slo: 'api-availability', service: 'api' },
      externalURL: 'http://127.0.0.1:8090',
    });
    expect(payload.alerts.map((a) => [a.status, a.labels.severity])).toEqual([
      ['firing', 'critical'],
      ['firing', 'warning'],
    ]);
    const [critical] = payload.alerts;
    expect(critical).toMatchObject({
      labels: { alertname: 'SLOErrorBudget', slo: 'api-availability', severity: 'critical', service: 'api' },
      startsAt: '2025-03-01T12:00:00.000Z',
      endsAt: ALERTMANAGER_ZERO_TIME,
      generatorURL: 'http://127.0.0.1:8090/slos/api-availability',
      annotations: {
        summary: '[RED] api-availability: 104 % of error budget consumed',
        level: '104 %',
        budget_remaining: '-4 %',
        window: '30d',
        dashboard_url: 'http://127.0.0.1:8090/',
      },
    });
    expect(critical?.fingerprint).toBe(labelsFingerprint(critical?.labels ?? {}));
    expect(critical?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(payload.commonAnnotations.summary).toBe('[RED] api-availability: 104 % of error budget consumed');
  });

  it('resolves, with the same fingerprints, every alert that RED fired when the SLO recovers', () => {
    const red = alertmanagerPayload(sampleNotification(), 'oncall');
    const green = alertmanagerPayload(sampleNotification({ state: { from: 'RED', to: 'GREEN' }, level: 0.5, timestamp: '2025-03-01T13:00:00.000Z' }), 'oncall');
    expect(green.status).toBe('resolved');
    expect(green.alerts.map((a) => a.status)).toEqual(['resolved', 'resolved']);
    expect(green.alerts.map((a) => a.fingerprint)).toEqual(red.alerts.map((a) => a.fingerprint));
    expect(green.alerts[0]?.endsAt).toBe('2025-03-01T13:00:00.000Z');
  });

  it('fires a warning for ORANGE and resolves only it on recovery from ORANGE', () => {
    const orange = alertmanagerPayload(sampleNotification({ state: { from: 'GREEN', to: 'ORANGE' }, level: 0.85, audience: 'sli' }), 'oncall');
    expect(orange.alerts.map((a) => [a.status, a.labels.severity])).toEqual([['firing', 'warning']]);
    const back = alertmanagerPayload(sampleNotification({ state: { from: 'ORANGE', to: 'GREEN' }, level: 0.55, audience: 'sli' }), 'oncall');
    expect(back.alerts.map((a) => [a.status, a.fingerprint])).toEqual([['resolved', orange.alerts[0]?.fingerprint]]);
  });

  it('names burn-rate alerts by window and severity', () => {
    const payload = alertmanagerPayload(
      sampleNotification({
        type: 'slo.burn_rate.firing',
        burnRate: { tier: 'page-1h', severity: 'page', factor: 14.4, longWindow: '1h', shortWindow: '5m', longBurnRate: 15.2, shortBurnRate: 16.1 },
      }),
      'oncall',
      { externalUrl: 'https://slo.example.com' },
    );
    expect(payload.externalURL).toBe('https://slo.example.com');
    expect(payload.alerts).toHaveLength(1);
    expect(payload.alerts[0]?.labels).toEqual({ alertname: 'SLOBurnRate', slo: 'api-availability', severity: 'page', service: 'api', burn_window: '1h/5m' });
    expect(payload.alerts[0]?.annotations.burn_rate).toBe('15.20x over 1h, 16.10x over 5m (alerts at 14.4x)');
  });
});
