import type { SloNotification } from './notification.ts';

/**
 * The body of a `standard` webhook, in the shape Standard Webhooks recommends: the event
 * `type`, when it happened (`timestamp`), and the notification as `data`.
 *
 * @example
 * { "type": "slo.state.changed", "timestamp": "2025-03-01T12:00:00.000Z",
 *   "data": { "id": "msg_…", "slo": { "name": "api-availability", … }, "state": { "from": "ORANGE", "to": "RED" },
 *             "level": 1.04, "budgetRemaining": -0.04, "timeToExhaustionSeconds": null, "links": { … }, … } }
 */
export interface StandardWebhookPayload {
  readonly type: SloNotification['type'];
  readonly timestamp: string;
  readonly data: SloNotification;
}

/** The payload of a notification. */
export function standardWebhookPayload(notification: SloNotification): StandardWebhookPayload {
  return { type: notification.type, timestamp: notification.timestamp, data: notification };
}
