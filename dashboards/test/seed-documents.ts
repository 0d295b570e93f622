import {
  SLO_STATUS_DATASET,
  SLO_TRANSITION_DATASET,
  eventOutcome,
  exampleRequestEvent,
  type RequestEvent,
  type SloStatusDocument,
  type SloStatusValue,
  type SloTransitionDocument,
  type TerminationCode,
} from '@lookout/telemetry';

/** Start of the seeded minute-aligned window. */
export const SEED_START = Date.UTC(2025, 10, 22, 10, 0, 0);
/** Three one-minute buckets. */
export const SEED_INTERVAL_MS = 60_000;
export const SEED_END = SEED_START + 3 * SEED_INTERVAL_MS - 1;

const MEMBERS = ['http://127.0.0.1:9001', 'http://127.0.0.1:9002', 'http://127.0.0.1:9003'];
const PATHS = ['/orders', '/orders', '/orders', '/users', '/users', '/search', '/orders/42', '/users', '/orders'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Which termination and status the i-th seeded request ends with. */
function ending(i: number): { termination: TerminationCode; status: number } {
  if (i % 20 === 13) return { termination: 'no_route', status: 404 };
  if (i % 15 === 7) return { termination: 'upstream_reset', status: 502 };
  if (i % 25 === 11) return { termination: 'client_abort', status: 499 };
  if (i % 23 === 4) return { termination: 'upstream_connect_timeout', status: 504 };
  if (i % 10 === 9) return { termination: 'ok', status: 503 };
  if (i % 8 === 5) return { termination: 'ok', status: 304 };
  if (i % 12 === 2) return { termination: 'ok', status: 201 };
  if (i % 11 === 6) return { termination: 'ok', status: 429 };
  return { termination: 'ok', status: 200 };
}

/**
 * 61 request events: 60 spread over three minutes (some probes, several terminations and
 * status classes, three members, some without an upstream) and one just before the window.
 */
export function seededRequestEvents(): RequestEvent[] {
  const events: RequestEvent[] = [];
  for (let i = -1; i < 60; i++) {
    const start = i < 0 ? SEED_START - 1_000 : SEED_START + i * 3_000 + (i % 3) * 7;
    const { termination, status } = ending(Math.abs(i));
    const durationMs = 1 + ((i * 37) % 50) + (i % 7) / 8;
    const event = exampleRequestEvent() as { -readonly [K in keyof RequestEvent]: any };
    event['@timestamp'] = iso(start);
    event.event = { ...event.event, id: `0190aaaa-0000-7000-8000-${String(i + 1).padStart(12, '0')}`, outcome: eventOutcome(termination, status), duration: Math.round(durationMs * 1e6), start: iso(start), end: iso(start + Math.ceil(durationMs)) };
    event.url = { ...event.url, path: PATHS[Math.abs(i) % PATHS.length], original: PATHS[Math.abs(i) % PATHS.length] };
    event.http = { ...event.http, request: { ...event.http.request, body: { bytes: (Math.abs(i) * 10) % 300 } }, response: { status_code: status, body: { bytes: 100 + ((Math.abs(i) * 13) % 1000) } } };
    const member = MEMBERS[i % 4 === 3 ? 2 : Math.abs(i) % 2]!;
    event.lookout = {
      ...event.lookout,
      termination,
      retries: termination === 'upstream_reset' ? 1 : 0,
      probe: i % 17 === 0,
      timing: {
        queue_wait_ms: (i % 3) * 0.01,
        connect_ms: 0.2 + (i % 5) * 0.1,
        upstream_first_byte_ms: durationMs * 0.7,
        upstream_last_byte_ms: durationMs * 0.9,
        client_last_byte_ms: durationMs,
      },
      upstream: { ...event.lookout.upstream, member },
    };
    if (termination === 'no_route') {
      delete event.lookout.upstream;
      delete event.destination;
      delete event.lookout.timing.connect_ms;
      delete event.lookout.timing.upstream_first_byte_ms;
      delete event.lookout.timing.upstream_last_byte_ms;
    }
    if (termination === 'ok') delete event.error;
    events.push(event as RequestEvent);
  }
  return events;
}

interface SloPlan {
  readonly name: string;
  readonly kind: 'budget' | 'threshold';
  readonly statuses: readonly SloStatusValue[];
  readonly levels: readonly (number | undefined)[];
  readonly burnRates?: readonly (number | undefined)[];
  readonly tiers: readonly string[];
}

const SLO_PLANS: readonly SloPlan[] = [
  {
    name: 'api-availability', kind: 'budget',
    statuses: ['GREEN', 'GREEN', 'GREEN', 'ORANGE', 'ORANGE', 'RED'],
    levels: [0.2, 0.5, 0.85, 0.9, 1.1, 1.25], burnRates: [0.5, 1, 3, 6.5, 14.4, 15.2],
    tiers: ['none', 'none', 'none', '6h/30m', '1h/5m', '1h/5m'],
  },
  {
    name: 'api-latency-p99', kind: 'threshold',
    statuses: ['GREEN', 'GREEN', 'GREEN', 'GREEN', 'GREEN', 'GREEN'],
    levels: [0.4, 0.45, 0.5, 0.42, 0.38, 0.41],
    tiers: ['none', 'none', 'none', 'none', 'none', 'none'],
  },
  {
    name: 'search-availability', kind: 'budget',
    statuses: ['GREEN', 'GREEN', 'GREEN', 'GREEN', 'NODATA', 'NODATA'],
    levels: [0.1, 0.12, 0.11, 0.13, undefined, undefined], burnRates: [0.2, 0.3, 0.25, 0.3, undefined, undefined],
    tiers: ['none', 'none', 'none', 'none', 'none', 'none'],
  },
];

const TICK_MS = 30_000;

/** Six evaluations, 30 s apart, of three SLOs (one escalating to RED, one steady, one falling to NODATA). */
export function seededSloStatus(): SloStatusDocument[] {
  const documents: SloStatusDocument[] = [];
  for (let tick = 0; tick < 6; tick++) {
    for (const plan of SLO_PLANS) {
      const level = plan.levels[tick];
      const status = plan.statuses[tick]!;
      const since = plan.statuses.indexOf(status);
      const burnRate = plan.burnRates?.[tick];
      documents.push({
        '@timestamp': iso(SEED_START + tick * TICK_MS),
        event: { id: `${plan.name}-${tick}`, dataset: SLO_STATUS_DATASET },
        observer: { name: 'slo-engine-0' },
        service: { target: { name: 'my-service3' } },
        slo: {
          name: plan.name, kind: plan.kind, indicator: plan.kind === 'budget' ? 'availability' : 'p99',
          ...(plan.kind === 'budget' ? { objective: 0.999 } : {}),
          window: plan.kind === 'budget' ? '30d' : '5m', status, status_since: iso(SEED_START + since * TICK_MS),
          ...(level === undefined ? {} : { level, sli: plan.kind === 'budget' ? 1 - level / 1000 : level * 250 }),
          ...(level !== undefined && plan.kind === 'budget' ? { budget_remaining: 1 - level, good: 1000, } : {}),
          total: status === 'NODATA' ? 0 : 1000,
          ...(burnRate === undefined ? {} : { burn_rate: burnRate }),
          alert_tier: plan.tiers[tick]!,
        },
      });
    }
  }
  return documents;
}

/** State and burn-rate tier changes of the seeded evaluations. */
export function seededSloTransitions(): SloTransitionDocument[] {
  const documents: SloTransitionDocument[] = [];
  for (const plan of SLO_PLANS) {
    for (let tick = 1; tick < 6; tick++) {
      const changes: ['state' | 'burn-rate', string, string][] = [];
      if (plan.statuses[tick] !== plan.statuses[tick - 1]) changes.push(['state', plan.statuses[tick - 1]!, plan.statuses[tick]!]);
      if (plan.tiers[tick] !== plan.tiers[tick - 1]) changes.push(['burn-rate', plan.tiers[tick - 1]!, plan.tiers[tick]!]);
      changes.forEach(([kind, from, to], index) => {
        const level = plan.levels[tick];
        documents.push({
          '@timestamp': iso(SEED_START + tick * TICK_MS + index),
          event: { id: `${plan.name}-${tick}-${kind}`, dataset: SLO_TRANSITION_DATASET },
          observer: { name: 'slo-engine-0' },
          service: { target: { name: 'my-service3' } },
          slo: { name: plan.name, transition: { kind, from, to }, ...(level === undefined ? {} : { level }) },
        });
      });
    }
  }
  return documents;
}
