// After a phase of the `lookout-telemetry` target: wait until the proxy has handed every event to
// Elasticsearch, then compare what arrived with what was sent.
import { setTimeout as sleep } from 'node:timers/promises';
import { countBenchDocuments, type Elasticsearch, type EsCount } from './elasticsearch.ts';
import { httpGet } from './probe.ts';

/** The proxy's telemetry pipeline counters, read from its admin API's Prometheus /metrics. */
export interface TelemetryCounters {
  emitted: number;
  delivered: number;
  spooled: number;
  replayed: number;
  dropped: Record<string, number>;
  droppedTotal: number;
  failures: Record<string, number>;
  queueDepth: number;
  spoolEvents: number;
}

/** What one phase of the telemetry target delivered. */
export interface Delivery {
  /** Requests the load generator completed, warm-up included (the proxy also sees the bench's check request and readiness probes). */
  loadRequests: number;
  es?: EsCount;
  counters?: TelemetryCounters;
  /** Seconds waited after the load for the pipeline to drain. */
  settleSec: number;
  /** False when the pipeline still held events when the bench stopped waiting. */
  settled: boolean;
  /** CPU used by the Elasticsearch JVM during the measured phase, in cores (undefined: not known). */
  esCores?: number;
  /** Why counting failed. */
  error?: string;
}

/** How long the bench waits for the pipeline to empty (1 s flush interval, then ES bulk). */
const SETTLE_LIMIT_MS = 60_000;

function labelValue(labels: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];
}

/** Parses the `lookout_telemetry_*` series of a Prometheus exposition. */
export function parseTelemetryCounters(text: string): TelemetryCounters | undefined {
  const counters: TelemetryCounters = {
    emitted: 0, delivered: 0, spooled: 0, replayed: 0, dropped: {}, droppedTotal: 0, failures: {}, queueDepth: 0, spoolEvents: 0,
  };
  let seen = false;
  for (const line of text.split('\n')) {
    const match = /^(lookout_telemetry_[a-z_]+?)(?:_total)?(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name = '', labels = '', raw = ''] = match;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    seen = true;
    switch (name) {
      case 'lookout_telemetry_events_emitted': counters.emitted += value; break;
      case 'lookout_telemetry_events_delivered': counters.delivered += value; break;
      case 'lookout_telemetry_events_spooled': counters.spooled += value; break;
      case 'lookout_telemetry_events_replayed': counters.replayed += value; break;
      case 'lookout_telemetry_events_dropped': {
        const reason = labelValue(labels, 'lookout_telemetry_drop_reason') ?? 'unknown';
        counters.dropped[reason] = (counters.dropped[reason] ?? 0) + value;
        counters.droppedTotal += value;
        break;
      }
      case 'lookout_telemetry_delivery_failures': {
        const reason = labelValue(labels, 'error_type') ?? 'unknown';
        counters.failures[reason] = (counters.failures[reason] ?? 0) + value;
        break;
      }
      case 'lookout_telemetry_queue_depth': counters.queueDepth += value; break;
      case 'lookout_telemetry_spool_events': counters.spoolEvents += value; break;
      default: break;
    }
  }
  return seen ? counters : undefined;
}

/** GET /metrics on the proxy's admin port; undefined when it does not answer. */
export async function scrapeTelemetryCounters(adminPort: number): Promise<TelemetryCounters | undefined> {
  try {
    const { status, body } = await httpGet(adminPort, '/metrics', '127.0.0.1', 5000);
    return status === 200 ? parseTelemetryCounters(body) : undefined;
  } catch {
    return undefined;
  }
}

const drained = (c: TelemetryCounters) => c.queueDepth === 0 && c.spoolEvents === 0 && c.delivered + c.droppedTotal >= c.emitted;

/**
 * Waits until the proxy's pipeline is empty (every emitted event delivered or dropped, nothing in
 * queue or spool, no new events), or, without counters, until the document count stops growing;
 * then refreshes and counts. Never throws: a failure is in `error`.
 */
export async function settleAndCount(es: Elasticsearch, adminPort: number, loadRequests: number, esCores: number | undefined): Promise<Delivery> {
  const begin = Date.now();
  const delivery: Delivery = { loadRequests, settleSec: 0, settled: false, esCores };
  try {
    let previous: TelemetryCounters | undefined;
    let previousCount = -1;
    while (Date.now() - begin < SETTLE_LIMIT_MS) {
      await sleep(previous === undefined && previousCount < 0 ? 200 : 1000);
      const counters = await scrapeTelemetryCounters(adminPort);
      if (counters) {
        delivery.counters = counters;
        if (drained(counters) && previous?.emitted === counters.emitted) {
          delivery.settled = true;
          break;
        }
        previous = counters;
      } else {
        // No admin API: the count must hold still for longer than the flush interval (1 s).
        const { documents } = await countBenchDocuments(es);
        if (documents === previousCount) {
          await sleep(1000);
          if ((await countBenchDocuments(es)).documents === documents) {
            delivery.settled = true;
            break;
          }
        }
        previousCount = documents;
      }
    }
    delivery.settleSec = (Date.now() - begin) / 1000;
    delivery.es = await countBenchDocuments(es);
  } catch (error) {
    delivery.settleSec = (Date.now() - begin) / 1000;
    delivery.error = error instanceof Error ? error.message : String(error);
  }
  return delivery;
}

/** One line for the progress log and the report. */
export function deliverySummary(d: Delivery): string {
  if (d.error) return `counting failed: ${d.error}`;
  const parts = [`${d.es?.documents ?? '?'} events in Elasticsearch for ${d.loadRequests} requests completed by the load generator (warm-up included)`];
  if (d.counters) {
    const c = d.counters;
    parts.push(`proxy counters: emitted ${c.emitted}, delivered ${c.delivered}, spooled ${c.spooled}, replayed ${c.replayed}, dropped ${c.droppedTotal}`);
  }
  if (!d.settled) parts.push(`pipeline not drained after ${d.settleSec.toFixed(0)} s`);
  return parts.join('; ');
}

/**
 * Whether every event reached Elasticsearch: documents = events the proxy emitted, none dropped
 * (with counters); without them, at least one document per completed request.
 */
export function deliveryComplete(d: Delivery): { ok: boolean; detail: string } {
  if (d.error || !d.es) return { ok: false, detail: `counting failed: ${d.error ?? 'no count'}` };
  const docs = d.es.documents;
  if (d.counters) {
    const c = d.counters;
    const ok = docs === c.emitted && c.droppedTotal === 0;
    const dropped = Object.entries(c.dropped).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`).join(', ');
    return { ok, detail: `${docs} documents / ${c.emitted} events emitted, ${c.droppedTotal} dropped${dropped ? ` (${dropped})` : ''}, ${c.spooled} spooled` };
  }
  return { ok: docs >= d.loadRequests, detail: `${docs} documents / ${d.loadRequests} requests completed (no proxy counters)` };
}
