import type { DeliveryDispatcher } from '../notify/delivery-dispatcher.ts';
import type { MetricFamily } from './prometheus-text.ts';

/** The delivery dispatcher's counters as metric families, by channel. */
export function deliveryMetrics(dispatcher: DeliveryDispatcher): MetricFamily[] {
  const counters = dispatcher.counters();
  const byChannel = (counts: Record<string, number>) => Object.entries(counts).map(([channel, value]) => ({ labels: { channel }, value }));
  return [
    { name: 'lookout_slo_delivery_attempts_total', type: 'counter', help: 'Delivery attempts (webhook requests, e-mails sent).', samples: byChannel(counters.attempts) },
    { name: 'lookout_slo_deliveries_delivered_total', type: 'counter', help: 'Deliveries that reached their target.', samples: byChannel(counters.delivered) },
    { name: 'lookout_slo_deliveries_retried_total', type: 'counter', help: 'Failed attempts scheduled for a retry.', samples: byChannel(counters.retried) },
    { name: 'lookout_slo_deliveries_dead_total', type: 'counter', help: 'Deliveries dead-lettered after their last attempt or a permanent failure (see GET /api/deliveries?status=dead).', samples: byChannel(counters.dead) },
    { name: 'lookout_slo_deliveries_in_flight', type: 'gauge', help: 'Delivery attempts in progress.', samples: [{ value: dispatcher.inFlight }] },
  ];
}
