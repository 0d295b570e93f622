import type { WebhookReceiver } from '../../../slo-engine/test/webhook-receiver.ts';

/** What the webhook receiver got for one SLO, against what the scenario expected. */
export interface NotificationAudit {
  /** State transitions the scenario should cause, e.g. `GREEN->ORANGE`. */
  readonly expected: readonly string[];
  /** Distinct notifications (by `webhook-id`), as `type:from->to`, in arrival order. */
  readonly received: readonly string[];
  /** `webhook-id`s accepted (2xx) more than once. */
  readonly duplicated: number;
  /** Deliveries whose Standard Webhooks signature did not verify. */
  readonly unverified: number;
  /** Expected transitions that never arrived. */
  readonly missed: readonly string[];
  /** Received notifications that were not expected. */
  readonly unexpected: readonly string[];
}

interface NotificationBody {
  readonly data?: { readonly type?: string; readonly slo?: { readonly name?: string }; readonly state?: { readonly from?: string; readonly to?: string } };
}

/** Compares the receiver's deliveries for `slo` with the expected state transitions. */
export function auditNotifications(receiver: WebhookReceiver, slo: string, expected: readonly string[]): NotificationAudit {
  const accepted = new Map<string, number>();
  const received: string[] = [];
  let unverified = 0;
  for (const request of receiver.requests) {
    let body: NotificationBody;
    try {
      body = JSON.parse(request.body) as NotificationBody;
    } catch {
      continue;
    }
    if (body.data?.slo?.name !== slo) continue;
    if (!request.verified) unverified++;
    if (request.answered < 200 || request.answered >= 300) continue;
    const times = accepted.get(request.id) ?? 0;
    accepted.set(request.id, times + 1);
    if (times > 0) continue;
    const data = body.data;
    const change = `${data.state?.from}->${data.state?.to}`;
    received.push(data.type === 'slo.state.changed' ? change : `${data.type}:${change}`);
  }
  const remaining = [...received];
  const missed: string[] = [];
  for (const transition of expected) {
    const at = remaining.indexOf(transition);
    if (at === -1) missed.push(transition);
    else remaining.splice(at, 1);
  }
  return {
    expected,
    received,
    duplicated: [...accepted.values()].filter((times) => times > 1).length,
    unverified,
    missed,
    unexpected: remaining,
  };
}
