import { TERMINATIONS, TERMINATION_CODES, type RequestEventField, type TerminationCode } from '@lookout/telemetry';

/**
 * What the live page's traffic charts show, read from the proxy's raw request events (health
 * probes excluded), the same panels as the "Proxy traffic" dashboard of dashboards/.
 */

/** A time range `[from, to)` (epoch ms, multiples of `stepMs`) cut into buckets of `stepMs`. */
export interface TrafficQuery {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  /** The time of the query: the last bucket's rate is per second of `[bucket start, now)`. */
  readonly now: number;
}

/** One named line or stack of a chart, a value per bucket (null: nothing to show there). */
export interface TrafficSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

/** A row of the "Top URIs" table. */
export interface UriRow {
  readonly path: string;
  readonly requests: number;
  readonly failures: number;
  readonly p95Ms: number | null;
  readonly averageResponseBytes: number | null;
}

/** A row of the "Upstream members" table. */
export interface MemberRow {
  readonly member: string;
  readonly requests: number;
  readonly failures: number;
  readonly p95Ms: number | null;
  readonly averageConnectMs: number | null;
}

/** Whether the store could be read, and if not yet, why (shown on the page, never an error). */
export interface TrafficStoreState {
  readonly kind: 'embedded' | 'elasticsearch';
  readonly location: string;
  /** `ok`; `not-initialised` when the file, table or index does not exist yet (the proxy creates it). */
  readonly state: 'ok' | 'not-initialised';
  readonly message?: string;
}

/**
 * The charts' data. Every list is empty when there is nothing to draw ("no data"): no events in
 * the range, or none carrying the fields a chart reads. `time` is empty exactly when `total` is 0.
 */
export interface TrafficSnapshot {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly store: TrafficStoreState;
  /** Requests and failed requests (`event.outcome` failure) in the range. */
  readonly total: number;
  readonly failed: number;
  /** Bucket starts, epoch ms, ascending, every bucket of the range. */
  readonly time: readonly number[];
  /** Requests per second per bucket (one series). */
  readonly rate: readonly TrafficSeries[];
  /** p50 / p95 / p99 of `event.duration` per bucket, ms. */
  readonly latency: readonly TrafficSeries[];
  /** Requests per bucket by status class (1xx..5xx), classes seen only. */
  readonly statusClasses: readonly TrafficSeries[];
  /** Failed requests per bucket by `lookout.termination` (codes other than ok and local), busiest first. */
  readonly terminations: readonly TrafficSeries[];
  /** Request and response body bytes per bucket. */
  readonly bytes: readonly TrafficSeries[];
  /** Average ms from arrival to each timing phase, per bucket. */
  readonly phases: readonly TrafficSeries[];
  /** Busiest `url.path` values. */
  readonly topUris: readonly UriRow[];
  /** `lookout.upstream.member` values, busiest first. */
  readonly members: readonly MemberRow[];
}

/**
 * Reads the traffic charts' data from the proxy's request events: the embedded SQLite file or
 * Elasticsearch. A store that does not exist yet, or events without some fields, give empty
 * series ("no data"); a store that cannot be reached throws an `EngineError`
 * (`SLO_STORE_UNREACHABLE`, or `SLO_STORE_QUERY_FAILED` when it refuses the query).
 */
export interface TrafficSource {
  readonly kind: 'embedded' | 'elasticsearch';
  readonly location: string;
  traffic(query: TrafficQuery): Promise<TrafficSnapshot>;
  close(): Promise<void>;
}

/** Rows of the "Top URIs" table. */
export const TOP_URIS = 20;
/** Rows of the "Upstream members" table. */
export const TOP_MEMBERS = 20;
/** Termination codes drawn; the rest are summed under "other". */
export const TOP_TERMINATIONS = 8;

/** Terminations that are not failures: the status is whoever answered (as in the Kibana panel). */
export const NON_FAILURE_TERMINATIONS: readonly TerminationCode[] = TERMINATION_CODES.filter((code) => TERMINATIONS[code].status === null);

/** Percentiles of the latency chart. */
export const LATENCY_PERCENTILES = [50, 95, 99] as const;

/** Status classes, `[from, to)` on `http.response.status_code`. */
export const STATUS_CLASSES = [1, 2, 3, 4, 5].map((digit) => ({ label: `${digit}xx`, from: digit * 100, to: digit * 100 + 100 }));

/** The timing phases, in order (fields of the telemetry contract, ms since arrival). */
export const TIMING_PHASES = [
  { label: 'Queue left', field: 'lookout.timing.queue_wait_ms' },
  { label: 'Connected', field: 'lookout.timing.connect_ms' },
  { label: 'Upstream first byte', field: 'lookout.timing.upstream_first_byte_ms' },
  { label: 'Upstream last byte', field: 'lookout.timing.upstream_last_byte_ms' },
  { label: 'Client last byte', field: 'lookout.timing.client_last_byte_ms' },
] as const satisfies readonly { label: string; field: RequestEventField }[];

/** Byte series: field and label. */
export const BYTE_SERIES = [
  { label: 'Bytes in (request bodies)', field: 'http.request.body.bytes' },
  { label: 'Bytes out (response bodies)', field: 'http.response.body.bytes' },
] as const satisfies readonly { label: string; field: RequestEventField }[];

/** The buckets of a query: their starts, ascending. */
export function bucketStarts(query: TrafficQuery): number[] {
  const starts: number[] = [];
  for (let start = query.from; start < query.to; start += query.stepMs) starts.push(start);
  return starts;
}

/** Seconds of bucket `start` that have passed by `now` (the current bucket counts only its elapsed part, at least 1 s). */
export function bucketSeconds(query: TrafficQuery, start: number): number {
  const end = Math.min(start + query.stepMs, Math.max(query.now, start + 1_000));
  return (end - start) / 1_000;
}

/** A snapshot with nothing to draw. */
export function emptyTraffic(query: TrafficQuery, store: TrafficStoreState): TrafficSnapshot {
  return {
    from: query.from,
    to: query.to,
    stepMs: query.stepMs,
    store,
    total: 0,
    failed: 0,
    time: [],
    rate: [],
    latency: [],
    statusClasses: [],
    terminations: [],
    bytes: [],
    phases: [],
    topUris: [],
    members: [],
  };
}

/** `series` without those that have no value at all (a field no event carries), nor only zeros when `dropZeros`. */
export function seriesWithData(series: readonly TrafficSeries[], dropZeros = false): TrafficSeries[] {
  return series.filter((one) => one.values.some((value) => value !== null && (!dropZeros || value !== 0)));
}

/** The `limit` busiest termination series; the rest summed into "other". */
export function busiestTerminations(series: readonly TrafficSeries[], limit = TOP_TERMINATIONS): TrafficSeries[] {
  const sum = (one: TrafficSeries): number => one.values.reduce<number>((total, value) => total + (value ?? 0), 0);
  const sorted = seriesWithData(series, true).sort((a, b) => sum(b) - sum(a) || a.label.localeCompare(b.label));
  if (sorted.length <= limit) return sorted;
  const kept = sorted.slice(0, limit - 1);
  const rest = sorted.slice(limit - 1);
  const other = rest[0]!.values.map((_, i) => rest.reduce((total, one) => total + (one.values[i] ?? 0), 0));
  return [...kept, { label: 'other', values: other }];
}
