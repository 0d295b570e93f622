import type { SloNotification } from '../src/notify/notification.ts';

/** A RED notification of a budget SLO, as the engine would make it; `overrides` replace fields. */
export function sampleNotification(overrides: Partial<SloNotification> = {}): SloNotification {
  return {
    id: 'msg_0123456789abcdef0123456789abcdef',
    type: 'slo.state.changed',
    timestamp: '2025-03-01T12:00:00.000Z',
    slo: {
      name: 'api-availability',
      description: 'Public API answers without server errors',
      service: 'api',
      kind: 'budget',
      indicator: 'availability',
      objective: 0.999,
      window: '30d',
    },
    state: { from: 'ORANGE', to: 'RED' },
    level: 1.04,
    budgetRemaining: -0.04,
    timeToExhaustionSeconds: null,
    audience: 'slo+sli',
    links: { slo: 'http://127.0.0.1:8090/slos/api-availability', dashboard: 'http://127.0.0.1:8090/' },
    ...overrides,
  };
}

/** The same notification with another id (a distinct transition). */
export function nthNotification(n: number, overrides: Partial<SloNotification> = {}): SloNotification {
  return sampleNotification({ id: `msg_${n.toString(16).padStart(32, '0')}`, ...overrides });
}
