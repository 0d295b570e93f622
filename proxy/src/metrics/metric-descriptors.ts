/**
 * Every metric the proxy exports: OpenTelemetry semantic-convention names where a convention
 * exists (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/,
 * .../runtime/nodejs-metrics/, .../runtime/v8js-metrics/, .../system/process-metrics/), and a
 * `lookout.` namespace for the rest. Units are UCUM as the conventions use them; the Prometheus
 * exposition adds the matching suffix (`s` -> `_seconds`, `By` -> `_bytes`).
 *
 * Names are written out rather than imported from `@opentelemetry/semantic-conventions`
 * (+1.5 MiB RSS for the module, measured, for a few dozen strings).
 */
export const METRICS = {
  // --- HTTP server (the proxy's clients) ---------------------------------------------------
  httpServerRequestDuration: { name: 'http.server.request.duration', unit: 's', description: 'Duration of HTTP server requests.' },
  httpServerActiveRequests: { name: 'http.server.active_requests', unit: '{request}', description: 'Number of active HTTP server requests.' },

  // --- Upstream members (the proxy as an HTTP client) ---------------------------------------
  httpClientOpenConnections: { name: 'http.client.open_connections', unit: '{connection}', description: 'Number of outbound HTTP connections to the upstream member that are currently active or idle in its pool.' },
  httpClientActiveRequests: { name: 'http.client.active_requests', unit: '{request}', description: 'Number of requests the proxy has in flight to the upstream member (queued in its pool included).' },
  upstreamRequests: { name: 'lookout.upstream.requests', unit: '{request}', description: "Requests in the upstream member's connection pool by undici state: queued (waiting for a connection), pending (assigned, not yet written), running (written, awaiting the response)." },
  upstreamMemberHealthy: { name: 'lookout.upstream.member.healthy', unit: '{member}', description: 'Verdict of the active health check: 1 healthy, 0 unhealthy (a sum over members counts the healthy ones).' },
  upstreamMemberEjected: { name: 'lookout.upstream.member.ejected', unit: '{member}', description: 'Passive outlier ejection: 1 while the member is ejected, else 0.' },
  upstreamPoolActive: { name: 'lookout.upstream.pool.active', unit: '{pool}', description: 'Blue/green services: 1 for the colour that takes new requests, 0 for the idle colour.' },
  upstreamRetries: { name: 'lookout.upstream.retries', unit: '{retry}', description: 'Tries repeated on another upstream member after a failed try.' },
  upstreamFailures: { name: 'lookout.upstream.failures', unit: '{failure}', description: 'Failed tries to an upstream member, by error type.' },

  // --- Telemetry pipeline ------------------------------------------------------------------
  telemetryEmitted: { name: 'lookout.telemetry.events.emitted', unit: '{event}', description: 'Request events handed to the telemetry pipeline.' },
  telemetryDelivered: { name: 'lookout.telemetry.events.delivered', unit: '{event}', description: 'Request events stored by the sink (replayed ones included).' },
  telemetrySpooled: { name: 'lookout.telemetry.events.spooled', unit: '{event}', description: 'Request events written to the disk spool while the sink was unavailable.' },
  telemetryReplayed: { name: 'lookout.telemetry.events.replayed', unit: '{event}', description: 'Spooled request events replayed to the sink.' },
  telemetryDropped: { name: 'lookout.telemetry.events.dropped', unit: '{event}', description: 'Request events lost, by reason.' },
  telemetryQueueDepth: { name: 'lookout.telemetry.queue.depth', unit: '{event}', description: 'Request events waiting in the in-memory queue.' },
  telemetryQueueCapacity: { name: 'lookout.telemetry.queue.capacity', unit: '{event}', description: 'Most request events the in-memory queue holds.' },
  telemetrySpoolSize: { name: 'lookout.telemetry.spool.size', unit: 'By', description: 'Size of the disk spool.' },
  telemetrySpoolEvents: { name: 'lookout.telemetry.spool.events', unit: '{event}', description: 'Request events in the disk spool.' },
  telemetryDeliveryFailures: { name: 'lookout.telemetry.delivery.failures', unit: '{attempt}', description: 'Failed delivery attempts to the sink, by error type (their events went to the spool).' },

  // --- Node.js runtime ---------------------------------------------------------------------
  eventLoopDelayMin: { name: 'nodejs.eventloop.delay.min', unit: 's', description: 'Event loop minimum delay since the previous collection (includes the 10 ms sampling resolution).' },
  eventLoopDelayMax: { name: 'nodejs.eventloop.delay.max', unit: 's', description: 'Event loop maximum delay since the previous collection (includes the 10 ms sampling resolution).' },
  eventLoopDelayMean: { name: 'nodejs.eventloop.delay.mean', unit: 's', description: 'Event loop mean delay since the previous collection (includes the 10 ms sampling resolution).' },
  eventLoopDelayStddev: { name: 'nodejs.eventloop.delay.stddev', unit: 's', description: 'Event loop standard deviation of delay since the previous collection.' },
  eventLoopDelayP50: { name: 'nodejs.eventloop.delay.p50', unit: 's', description: 'Event loop 50th percentile delay since the previous collection (includes the 10 ms sampling resolution).' },
  eventLoopDelayP90: { name: 'nodejs.eventloop.delay.p90', unit: 's', description: 'Event loop 90th percentile delay since the previous collection (includes the 10 ms sampling resolution).' },
  eventLoopDelayP99: { name: 'nodejs.eventloop.delay.p99', unit: 's', description: 'Event loop 99th percentile delay since the previous collection (includes the 10 ms sampling resolution).' },
  eventLoopUtilization: { name: 'nodejs.eventloop.utilization', unit: '1', description: 'Event loop utilization since the previous collection.' },
  eventLoopTime: { name: 'nodejs.eventloop.time', unit: 's', description: 'Cumulative duration of time the event loop has been in each state.' },
  heapUsed: { name: 'v8js.memory.heap.used', unit: 'By', description: 'Heap memory used, by heap space.' },
  heapSpaceSize: { name: 'v8js.memory.heap.space.size', unit: 'By', description: 'Heap memory reserved for the heap space.' },
  heapSpaceAvailable: { name: 'v8js.memory.heap.space.available_size', unit: 'By', description: 'Heap space available size.' },
  heapSpacePhysical: { name: 'v8js.memory.heap.space.physical_size', unit: 'By', description: 'Committed size of a heap space.' },
  processCpuTime: { name: 'process.cpu.time', unit: 's', description: 'Total CPU seconds broken down by CPU mode.' },
  processCpuUtilization: { name: 'process.cpu.utilization', unit: '1', description: 'CPU time since the previous collection divided by the elapsed time and the number of CPUs available to the process.' },
  processMemoryUsage: { name: 'process.memory.usage', unit: 'By', description: 'The amount of physical memory in use (resident set size).' },
  processUptime: { name: 'process.uptime', unit: 's', description: 'The time the process has been running.' },

  // --- This module ---------------------------------------------------------------------------
  otlpExportFailures: { name: 'lookout.metrics.otlp.export.failures', unit: '{export}', description: 'OTLP metric exports that failed after the exporter gave up retrying.' },
} as const satisfies Record<string, MetricSpec>;

export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

/** Attribute keys used beside the semantic-convention ones. */
export const ATTR = {
  /** The proxy service (config `services[].name`) that handled the request. */
  service: 'lookout.service',
  /** Set (true) on requests that are health probes, so SLIs and dashboards can exclude them. */
  probe: 'lookout.probe',
  upstreamRequestState: 'lookout.upstream.request.state',
  /** Blue/green colour of the member's pool (only on blue/green services), as `lookout.upstream.color` in events. */
  upstreamColor: 'lookout.upstream.color',
  telemetryDropReason: 'lookout.telemetry.drop_reason',
} as const;

/**
 * Explicit bucket boundaries of `http.server.request.duration`, from the semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/#metric-httpserverrequestduration).
 */
export const HTTP_DURATION_BOUNDARIES: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
