import type { Attributes, HrTime } from '@opentelemetry/api';
import type { Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { histogramData, hrNow, sumData, type Point } from './metric-data.ts';
import { ATTR, HTTP_DURATION_BOUNDARIES, METRICS } from './metric-descriptors.ts';

// Methods the semantic conventions know; anything else is recorded as `_OTHER` so a client
// cannot create series at will (https://opentelemetry.io/docs/specs/semconv/registry/attributes/http/).
const METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE', '_OTHER'] as const;
const OTHER = METHODS.length - 1;

/** Index of `method` in METHODS. A switch on the (interned) method strings measured ~5 ns faster than a Map lookup. */
function methodIndex(method: string): number {
  switch (method) {
    case 'GET':
      return 2;
    case 'POST':
      return 6;
    case 'PUT':
      return 7;
    case 'HEAD':
      return 3;
    case 'DELETE':
      return 1;
    case 'OPTIONS':
      return 4;
    case 'PATCH':
      return 5;
    case 'CONNECT':
      return 0;
    case 'TRACE':
      return 9;
    case 'QUERY':
      return 8;
    default:
      return OTHER;
  }
}

const BOUNDARIES = HTTP_DURATION_BOUNDARIES;
const BUCKETS = BOUNDARIES.length + 1;

/** Cumulative explicit-bucket histogram of one attribute set, updated in place. */
class DurationSeries {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(attributes: Attributes) {
    this.attributes = attributes;
    this.startTime = hrNow();
  }
}

export interface HttpServerMetricsOptions {
  /** `url.scheme` of the requests the proxy serves. */
  readonly scheme?: string;
  /**
   * Most attribute sets kept for the duration histogram; further ones are counted in one
   * series marked `otel.metric.overflow=true`, as the SDK's cardinality limit does.
   */
  readonly maxSeries?: number;
}

/**
 * `http.server.request.duration` and `http.server.active_requests`, aggregated on the hot path
 * in plain numbers and typed arrays, turned into OpenTelemetry MetricData only at collection.
 *
 * The attribute set of a request is found with two Map lookups on values that are already
 * strings/numbers (service name, then a numeric key packed from method, status, termination
 * and probe), so recording allocates nothing once a series exists. The SDK's own histogram
 * would hash an attribute object per request.
 */
export class HttpServerMetrics {
  readonly #scheme: string;
  readonly #maxSeries: number;
  readonly #services = new Map<string, Map<number, DurationSeries>>();
  readonly #terminations = new Map<string, number>([['', 0]]);
  readonly #active = new Float64Array(METHODS.length);
  /** 1 for methods whose active count was ever non-zero at a collection. */
  readonly #activeReported = new Uint8Array(METHODS.length);
  readonly #activeStart: HrTime = hrNow();
  #seriesCount = 0;
  #overflow: DurationSeries | undefined = undefined;
  // The last service looked up: most traffic goes to few services, and a pointer comparison
  // is cheaper than hashing the name again.
  #lastName: string | undefined = undefined;
  #lastSeries: Map<number, DurationSeries> | undefined = undefined;

  constructor(options: HttpServerMetricsOptions = {}) {
    this.#scheme = options.scheme ?? 'http';
    this.#maxSeries = options.maxSeries ?? 2_000;
  }

  /** A request arrived (pair with requestEnded). */
  requestStarted(method: string): void {
    this.#active[methodIndex(method)]!++;
  }

  /** A request counted by requestStarted is over. */
  requestEnded(method: string): void {
    this.#active[methodIndex(method)]!--;
  }

  /**
   * Records one finished request.
   * @param service the proxy service that handled it; '' when none did (no route)
   * @param statusCode the status sent to the client; 0 when none was sent
   * @param termination the termination code when the proxy ended the request itself; '' otherwise
   * @param probe whether the request was a health probe
   */
  recordRequest(service: string, method: string, statusCode: number, durationSeconds: number, termination: string, probe: boolean): void {
    let byKey: Map<number, DurationSeries> | undefined;
    if (service === this.#lastName) byKey = this.#lastSeries!;
    else {
      byKey = this.#services.get(service);
      if (byKey === undefined) {
        byKey = new Map();
        this.#services.set(service, byKey);
      }
      this.#lastName = service;
      this.#lastSeries = byKey;
    }
    const slot = methodIndex(method);
    const status = statusCode >= 0 && statusCode < 1_000 ? statusCode | 0 : 0;
    const terminationIndex = termination === '' ? 0 : (this.#terminations.get(termination) ?? this.#internTermination(termination));
    // status < 1000, method < 16, probe 0/1: unique and exact as a double.
    const key = ((terminationIndex * 2 + (probe ? 1 : 0)) * 16 + slot) * 1_000 + status;
    const series = byKey.get(key) ?? this.#addSeries(byKey, key, service, slot, status, termination, probe);

    const seconds = durationSeconds >= 0 ? durationSeconds : 0;
    let bucket = 0;
    while (bucket < BUCKETS - 1 && seconds > BOUNDARIES[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.count++;
    series.sum += seconds;
    if (seconds < series.min) series.min = seconds;
    if (seconds > series.max) series.max = seconds;
  }

  /** The current state as OpenTelemetry metric data. */
  collect(endTime: HrTime): MetricData[] {
    const points: Point<Histogram>[] = [];
    const boundaries = BOUNDARIES.slice();
    for (const byKey of this.#services.values()) {
      for (const series of byKey.values()) points.push(histogramPoint(series, boundaries));
    }
    if (this.#overflow !== undefined) points.push(histogramPoint(this.#overflow, boundaries));
    const active: Point[] = [];
    for (let i = 0; i < METHODS.length; i++) {
      // A method enters the output once it is seen in flight and stays (0 is a value).
      if (this.#active[i] !== 0) this.#activeReported[i] = 1;
      if (this.#activeReported[i] === 1) active.push({ attributes: { 'http.request.method': METHODS[i], 'url.scheme': this.#scheme }, value: this.#active[i]! });
    }
    const metrics: MetricData[] = [sumData(METRICS.httpServerActiveRequests, false, active, this.#activeStart, endTime)];
    if (points.length > 0) metrics.unshift(histogramData(METRICS.httpServerRequestDuration, points, endTime, endTime));
    return metrics;
  }

  #internTermination(termination: string): number {
    const index = this.#terminations.size;
    this.#terminations.set(termination, index);
    return index;
  }

  #addSeries(byKey: Map<number, DurationSeries>, key: number, service: string, methodIndex: number, status: number, termination: string, probe: boolean): DurationSeries {
    if (this.#seriesCount >= this.#maxSeries) {
      this.#overflow ??= new DurationSeries({ 'otel.metric.overflow': true });
      return this.#overflow;
    }
    const attributes: Attributes = { 'http.request.method': METHODS[methodIndex], 'url.scheme': this.#scheme };
    if (status !== 0) attributes['http.response.status_code'] = status;
    // error.type: the proxy's termination code when it ended the request, else the status
    // code for 5xx, as the semantic conventions ask of HTTP servers.
    if (termination !== '') attributes['error.type'] = termination;
    else if (status >= 500) attributes['error.type'] = String(status);
    if (service !== '') attributes[ATTR.service] = service;
    if (probe) attributes[ATTR.probe] = true;
    const series = new DurationSeries(attributes);
    byKey.set(key, series);
    this.#seriesCount++;
    return series;
  }
}

function histogramPoint(series: DurationSeries, boundaries: number[]): Point<Histogram> {
  return {
    attributes: series.attributes,
    startTime: series.startTime,
    value: {
      buckets: { boundaries, counts: Array.from(series.counts) },
      count: series.count,
      sum: series.sum,
      min: series.count > 0 ? series.min : undefined,
      max: series.count > 0 ? series.max : undefined,
    },
  };
}

