import type { Delivery, PersistedSlo, TransitionRecord } from '../src/persistence/engine-store.ts';
import type { SloNotification } from '../src/notify/notification.ts';

/** A fixed epoch for store tests (times are plain numbers to the store). */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A complete notification for SLO `slo`. */
export function testNotification(id: string, slo = 'checkout-availability'): SloNotification {
  return {
    id,
    type: 'slo.state.changed',
    timestamp: new Date(T0).toISOString(),
    slo: { name: slo, service: 'checkout', kind: 'budget', indicator: 'availability', objective: 0.999, window: '30d' },
    state: { from: 'GREEN', to: 'ORANGE' },
    level: 0.85,
    budgetRemaining: 0.15,
    timeToExhaustionSeconds: 7_200,
    audience: 'sli',
    links: { slo: `http://127.0.0.1:8090/slos/${slo}`, dashboard: 'http://127.0.0.1:8090/' },
  };
}

/** A pending delivery created at `createdAt`, due at `nextAttemptAt` (default: created). */
export function testDelivery(id: string, fields: Partial<Delivery> & { slo?: string } = {}): Delivery {
  const { slo, ...rest } = fields;
  const createdAt = rest.createdAt ?? T0;
  return {
    id,
    notification: testNotification(`msg_${id}`, slo),
    channel: 'webhook',
    target: 'oncall',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: createdAt,
    lastError: null,
    createdAt,
    deliveredAt: null,
    ...rest,
  };
}

export function testTransition(id: string, slo: string, at: number, fields: Partial<TransitionRecord> = {}): TransitionRecord {
  return { id, slo, kind: 'state', from: 'GREEN', to: 'ORANGE', level: 0.85, at, ...fields };
}

/** A persisted SLO with every field set (hold timers included). */
export function testPersisted(name: string, evaluatedAt = T0, fields: Partial<PersistedSlo> = {}): PersistedSlo {
  return {
    name,
    fingerprint: `fp-${name}`,
    state: {
      status: 'ORANGE',
      since: evaluatedAt - 600_000,
      lastKnown: 'ORANGE',
      aboveOrangeSince: evaluatedAt - 900_000,
      aboveRedSince: evaluatedAt - 120_000,
      belowGreenSince: null,
      level: 1.0375,
    },
    burnAlert: { tier: 'page-1h', since: evaluatedAt - 300_000 },
    evaluatedAt,
    ...fields,
  };
}
