import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type CollectionResult, type MetricData, type MetricProducer, type ResourceMetrics, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { createLogger, type Logger } from '../log.ts';
import { HttpServerMetrics } from './http-server-metrics.ts';
import { hrNow, sumData } from './metric-data.ts';
import { METRICS } from './metric-descriptors.ts';
import { OtlpExport, type OtlpExportOptions } from './otlp-export.ts';
import { PrometheusExposition } from './prometheus-exposition.ts';
import { registerRuntimeMetrics, type RuntimeMetricsHandle } from './runtime-metrics.ts';
import { registerTelemetryPipelineMetrics, type TelemetryStatsProvider } from './telemetry-pipeline-metrics.ts';
import { UpstreamMetrics, type MembersProvider } from './upstream-metrics.ts';

export interface ProxyMetricsOptions {
  /** Resource `service.name` (default `lookout-proxy`); `OTEL_SERVICE_NAME` overrides it. */
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  /**
   * More resource attributes, e.g. `{ 'service.instance.id': 'worker-2' }` when several
   * workers are scraped apart. `OTEL_RESOURCE_ATTRIBUTES` overrides them.
   */
  readonly resourceAttributes?: Attributes;
  /** `url.scheme` of the requests the proxy serves (default `http`). */
  readonly scheme?: string;
  /** The current upstream members; may also be set later with setMembersProvider. */
  readonly members?: MembersProvider;
  /** The telemetry pipeline's counters; may also be set later with setTelemetryProvider. */
  readonly telemetry?: TelemetryStatsProvider;
  /** Node.js runtime metrics (default true). */
  readonly runtime?: boolean;
  readonly eventLoopDelayResolutionMs?: number;
  /** Cap on attribute sets of the request duration histogram (default 2000). */
  readonly maxRequestSeries?: number;
  readonly log?: Logger;
}

const SCOPE = { name: 'lookout-proxy' };
const ERROR_LOG_INTERVAL_MS = 60_000;

/** A reader that only collects on demand: `scrape()` and the OTLP interval share it. */
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/**
 * The proxy's metrics, on the OpenTelemetry metrics SDK, exposed as Prometheus text by
 * `scrape()` and pushed as OTLP by `startOtlpExport()`.
 *
 * Two paths feed the SDK:
 * - Per-request data (`recordRequest`, the active-request gauge, retries, failures) is
 *   aggregated in plain counters and typed arrays and reaches the SDK as a MetricProducer at
 *   collection time, never as `histogram.record(value, attributes)` per request.
 *   Upstream pool statistics take the same path, read from undici when collected, so members
 *   removed by a reload disappear (the SDK keeps reporting stale attribute sets of cumulative
 *   observable instruments).
 * - Runtime metrics and the telemetry pipeline's counters are SDK observable instruments.
 *
 * Why not `@opentelemetry/sdk-node`: it loads tracing, logs, resource detectors and every
 * exporter. Measured RSS on top of the proxy's own modules (node 24, --max-semi-space-size=1,
 * --single-threaded-gc, MALLOC_ARENA_MAX=2): sdk-node +8.5 MiB (import only), sdk-metrics
 * +1.6 MiB, sdk-metrics + exporter-prometheus +1.4-1.6 MiB, + OTLP protobuf exporter +2.2 MiB
 * (that one is imported only when OTLP export is configured).
 *
 * @example
 * const metrics = new ProxyMetrics({ members: () => runtimeMembers(), telemetry: () => pipeline.stats() });
 * // per request: metrics.requestStarted(method) ... metrics.requestEnded(method);
 * //              metrics.recordRequest(service, method, status, seconds, termination, probe);
 * // GET /metrics: reply(await metrics.scrape(), { 'content-type': PROMETHEUS_CONTENT_TYPE });
 */
export class ProxyMetrics {
  readonly #http: HttpServerMetrics;
  readonly #upstream: UpstreamMetrics;
  readonly #provider: MeterProvider;
  readonly #reader: OnDemandReader;
  readonly #exposition = new PrometheusExposition();
  readonly #runtime: RuntimeMetricsHandle | undefined;
  readonly #log: Logger;
  readonly #startTime = hrNow();
  #telemetry: TelemetryStatsProvider | undefined;
  #collecting: Promise<unknown> = Promise.resolve();
  #otlp: OtlpExport | undefined = undefined;
  #otlpFailures = 0;
  #lastErrorLogAt = -Infinity;
  #shutdown: Promise<void> | undefined = undefined;

  constructor(options: ProxyMetricsOptions = {}) {
    this.#log = options.log ?? createLogger({ component: 'metrics' });
    this.#http = new HttpServerMetrics({ scheme: options.scheme, maxSeries: options.maxRequestSeries });
    this.#upstream = new UpstreamMetrics(this.#startTime);
    this.#upstream.setMembersProvider(options.members);
    this.#telemetry = options.telemetry;

    const producer: MetricProducer = { collect: async () => this.#produce() };
    this.#reader = new OnDemandReader({ metricProducers: [producer] });
    const resource = defaultResource()
      .merge(
        resourceFromAttributes({
          'service.name': options.serviceName ?? 'lookout-proxy',
          ...(options.serviceVersion === undefined ? {} : { 'service.version': options.serviceVersion }),
          'service.instance.id': randomUUID(),
          'host.name': hostname(),
          'process.pid': process.pid,
          'process.runtime.name': 'nodejs',
          'process.runtime.version': process.versions.node,
          ...options.resourceAttributes,
        }),
      )
      .merge(detectResources({ detectors: [envDetector] }));
    this.#provider = new MeterProvider({ resource, readers: [this.#reader] });
    const meter = this.#provider.getMeter(SCOPE.name);
    if (options.runtime !== false) this.#runtime = registerRuntimeMetrics(meter, { eventLoopDelayResolutionMs: options.eventLoopDelayResolutionMs });
    registerTelemetryPipelineMetrics(meter, () => this.#telemetry);
  }

  // --- hot path ------------------------------------------------------------------------

  /** A request arrived: counts in `http.server.active_requests` until requestEnded. */
  requestStarted(method: string): void {
    this.#http.requestStarted(method);
  }

  /** The request counted by requestStarted is over. */
  requestEnded(method: string): void {
    this.#http.requestEnded(method);
  }

  /**
   * Records one finished request in `http.server.request.duration`. Call once per request.
   * @param service the proxy service that handled it; '' when none (no route)
   * @param statusCode the status sent to the client; 0 when none was sent
   * @param termination the proxy's termination code when it ended the request itself (becomes
   *   `error.type`); '' for a response relayed from the upstream
   * @param probe whether the request was a health probe (`lookout.probe=true`)
   */
  recordRequest(service: string, method: string, statusCode: number, durationSeconds: number, termination: string, probe: boolean): void {
    this.#http.recordRequest(service, method, statusCode, durationSeconds, termination, probe);
  }

  /** Counts retried tries of one request (`tries - 1`), in `lookout.upstream.retries`. */
  recordRetries(service: string, retries: number): void {
    this.#upstream.recordRetries(service, retries);
  }

  /** Counts one failed try to an upstream member, in `lookout.upstream.failures`. */
  recordUpstreamFailure(service: string, memberUrl: string, errorType: string): void {
    this.#upstream.recordUpstreamFailure(service, memberUrl, errorType);
  }

  // --- sources -------------------------------------------------------------------------

  setMembersProvider(provider: MembersProvider | undefined): void {
    this.#upstream.setMembersProvider(provider);
  }

  setTelemetryProvider(provider: TelemetryStatsProvider | undefined): void {
    this.#telemetry = provider;
  }

  // --- output --------------------------------------------------------------------------

  /** Collects every metric now. Collections run one at a time. */
  collect(): Promise<ResourceMetrics> {
    const run = this.#collecting.then(() => this.#reader.collect());
    this.#collecting = run.catch(() => undefined);
    return run.then((result) => this.#checked(result));
  }

  /** Every metric in the Prometheus text format; serve it with PROMETHEUS_CONTENT_TYPE. */
  async scrape(): Promise<string> {
    return this.#exposition.serialize(await this.collect());
  }

  /**
   * Starts pushing metrics to an OTLP/HTTP endpoint every `intervalMs` (replacing a previous
   * export, e.g. after a config reload). Resolves once the exporter is loaded.
   */
  async startOtlpExport(options: OtlpExportOptions): Promise<void> {
    await this.stopOtlpExport();
    this.#otlp = await OtlpExport.start(options, () => this.collect(), this.#log, () => this.#otlpFailures++);
  }

  /** Exports once now; resolves false when no export is configured or it failed. */
  async exportOtlpNow(): Promise<boolean> {
    return (await this.#otlp?.exportNow()) ?? false;
  }

  /** Stops OTLP export after a last export of what was recorded since the previous one. */
  async stopOtlpExport(): Promise<void> {
    const otlp = this.#otlp;
    this.#otlp = undefined;
    await otlp?.stop();
  }

  /** Stops OTLP export (flushing it), the runtime monitors and the SDK. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await this.stopOtlpExport();
      this.#runtime?.stop();
      await this.#provider.shutdown();
    })();
    return this.#shutdown;
  }

  // --- internals -----------------------------------------------------------------------

  async #produce(): Promise<CollectionResult> {
    const endTime = hrNow();
    const metrics: MetricData[] = [...this.#http.collect(endTime), ...this.#upstream.collect(endTime)];
    if (this.#otlp !== undefined || this.#otlpFailures > 0) {
      metrics.push(sumData(METRICS.otlpExportFailures, true, [{ attributes: {}, value: this.#otlpFailures }], this.#startTime, endTime));
    }
    // The reader replaces this resource with the MeterProvider's.
    return { resourceMetrics: { resource: defaultResource(), scopeMetrics: [{ scope: SCOPE, metrics }] }, errors: [] };
  }

  /** Merges the SDK's and the producer's metrics of the same scope; logs collection errors. */
  #checked(result: CollectionResult): ResourceMetrics {
    if (result.errors.length > 0) {
      const now = performance.now();
      if (now - this.#lastErrorLogAt >= ERROR_LOG_INTERVAL_MS) {
        this.#lastErrorLogAt = now;
        this.#log.warn({ err: result.errors[0] instanceof Error ? result.errors[0] : String(result.errors[0]), errors: result.errors.length }, 'metric collection reported errors');
      }
    }
    const byScope = new Map<string, ScopeMetrics>();
    for (const scope of result.resourceMetrics.scopeMetrics) {
      const key = `${scope.scope.name}\n${scope.scope.version ?? ''}\n${scope.scope.schemaUrl ?? ''}`;
      const existing = byScope.get(key);
      if (existing === undefined) byScope.set(key, { scope: scope.scope, metrics: [...scope.metrics] });
      else existing.metrics.push(...scope.metrics);
    }
    return { resource: result.resourceMetrics.resource, scopeMetrics: [...byScope.values()] };
  }
}
