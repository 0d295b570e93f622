import { TERMINATION_CODES, TERMINATIONS, eventOutcome, exampleRequestEvent, type RequestEvent, type TerminationCode } from '@lookout/telemetry';
import type { BudgetIndicator, SloFilter, ThresholdIndicator, ThresholdMetric } from '../src/model/slo.ts';
import { seededRandom } from './seeded-random.ts';

export { seededRandom };


const MINUTE = 60_000;
export const SERVICES = ['orders', 'users', 'billing'] as const;
export const HOSTS = ['shop.example.com', 'api.example.com', 'admin.example.com'] as const;
export const PATHS = ['/orders', '/orders/42', '/ord', '/users/7', '/', '/api/v1/items', '/api/v2'] as const;
/** Thresholds the durations straddle (exactly, and one nanosecond either side). */
export const THRESHOLDS_MS = [137, 250, 42.5, 0.7654321, 1_000] as const;
const STATUSES = [200, 201, 204, 301, 404, 429, 499, 500, 502, 503, 504] as const;

/** What the seeded events span. */
export interface SeededEvents {
  readonly events: RequestEvent[];
  /** Epoch ms of the first minute (a minute boundary). */
  readonly from: number;
  /** End of the span (a minute boundary). */
  readonly to: number;
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

/**
 * `count` valid request events over `minutes` minutes from `from`: three services and a
 * no-route share, three hosts, paths sharing prefixes, health probes, every termination code
 * with its status and others (a reset after a 200 was sent), durations on and around the
 * thresholds, timestamps on minute boundaries and a millisecond either side.
 */
export function seededEvents(seed: number, options: { count: number; from: number; minutes: number }): SeededEvents {
  const random = seededRandom(seed);
  const run = (seed >>> 0).toString(16).padStart(8, '0');
  const to = options.from + options.minutes * MINUTE;
  const events: RequestEvent[] = [];
  for (let n = 0; n < options.count; n++) {
    const event = exampleRequestEvent();
    event.event.id = `${run}-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
    const shape = random();
    let ts: number;
    if (shape < 0.15) ts = options.from + Math.floor(random() * options.minutes) * MINUTE + pick(random, [0, 1, -1, 59_999]);
    else ts = options.from + Math.floor(random() * (to - options.from));
    ts = Math.min(Math.max(ts, options.from), to - 1);
    const iso = new Date(ts).toISOString();
    event['@timestamp'] = iso;
    event.event.start = iso;
    event.event.end = iso;

    const termination: TerminationCode = random() < 0.5 ? 'ok' : pick(random, TERMINATION_CODES);
    const own = TERMINATIONS[termination].status;
    const status = own !== null && random() < 0.7 ? own : pick(random, STATUSES);
    event.lookout.termination = termination;
    event.http.response.status_code = status;
    event.event.outcome = eventOutcome(termination, status);

    event.url.domain = pick(random, HOSTS);
    event.url.path = pick(random, PATHS);
    event.url.original = event.url.path;
    delete event.url.query;
    if (termination === 'no_route' || random() < 0.05) delete event.service.target;
    else event.service.target = { name: pick(random, SERVICES) };
    event.lookout.probe = random() < 0.08;

    const near = random();
    if (near < 0.45) {
      const threshold = pick(random, THRESHOLDS_MS);
      event.event.duration = Math.max(0, Math.floor(threshold * 1_000_000) + pick(random, [-1, 0, 0, 1]));
    } else {
      event.event.duration = Math.floor(Math.exp(random() * Math.log(3e9)));
    }
    events.push(event);
  }
  return { events, from: options.from, to };
}

/** A random filter over the seeded values (and some that match nothing). */
export function randomFilter(random: () => number): SloFilter {
  const filter: { service?: string; host?: string; pathPrefix?: string } = {};
  if (random() < 0.5) filter.service = pick(random, [...SERVICES, 'ghost']);
  if (random() < 0.4) filter.host = pick(random, [...HOSTS, 'nowhere.example.com']);
  if (random() < 0.4) filter.pathPrefix = pick(random, ['/ord', '/orders', '/orders/', '/api', '/', '/users/7', '/nope']);
  return filter;
}

/** A random budget indicator: availability, or latency at a seeded threshold or any odd one. */
export function randomBudgetIndicator(random: () => number): BudgetIndicator {
  if (random() < 0.4) return { type: 'availability' };
  const thresholdMs = random() < 0.6 ? pick(random, THRESHOLDS_MS) : Math.round(random() * 1_500_000) / 1_000;
  return { type: 'latency', thresholdMs };
}

/** A random threshold indicator (every metric). */
export function randomThresholdIndicator(random: () => number): ThresholdIndicator {
  const metric: ThresholdMetric = pick(random, ['p50', 'p95', 'p99', 'error-rate'] as const);
  return { type: 'threshold', metric, limit: 1, windowMs: 5 * MINUTE };
}

/** A random range within (and a little around) the span, ends anywhere, crossing minute boundaries. */
export function randomRange(random: () => number, span: { from: number; to: number }): { from: number; to: number } {
  const length = span.to - span.from;
  const a = span.from - 30_000 + Math.floor(random() * (length + 60_000));
  const b = span.from - 30_000 + Math.floor(random() * (length + 60_000));
  return a <= b ? { from: a, to: b } : { from: b, to: a };
}

/** A random minute-aligned range within the span. */
export function randomMinuteRange(random: () => number, span: { from: number; to: number }): { from: number; to: number } {
  const minutes = (span.to - span.from) / MINUTE;
  const a = Math.floor(random() * (minutes + 1));
  const b = Math.floor(random() * (minutes + 1));
  return { from: span.from + Math.min(a, b) * MINUTE, to: span.from + Math.max(a, b) * MINUTE };
}
