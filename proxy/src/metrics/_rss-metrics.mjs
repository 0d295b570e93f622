// src/metrics/proxy-metrics.ts
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";

// src/log.ts
var LEVELS = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
var Logger = class {
  #bindings;
  #min;
  constructor(bindings = {}, level = parseLevel(process.env.LOG_LEVEL)) {
    this.#bindings = serializeFields(bindings);
    this.#min = LEVELS[level];
  }
  /** A logger whose lines also carry `bindings`. */
  child(bindings) {
    return new BoundLogger(this, bindings);
  }
  debug(fields, msg) {
    this.write(20, fields, msg);
  }
  info(fields, msg) {
    this.write(30, fields, msg);
  }
  warn(fields, msg) {
    this.write(40, fields, msg);
  }
  error(fields, msg) {
    this.write(50, fields, msg);
  }
  fatal(fields, msg) {
    this.write(60, fields, msg);
  }
  /** Writes one line; `extra` is pre-serialized bindings of a child logger. */
  write(level, fields, msg, extra = "") {
    if (level < this.#min) return;
    const [body, message] = typeof fields === "string" ? ["", fields] : [serializeFields(fields), msg ?? ""];
    process.stdout.write(
      `{"level":"${levelName(level)}","time":"${(/* @__PURE__ */ new Date()).toISOString()}"${this.#bindings}${extra}${body},"msg":${JSON.stringify(message)}}
`
    );
  }
};
var BoundLogger = class _BoundLogger extends Logger {
  #parent;
  #extra;
  constructor(parent, bindings) {
    super({}, "fatal");
    this.#parent = parent;
    this.#extra = serializeFields(bindings);
  }
  child(bindings) {
    return new _BoundLogger(this, bindings);
  }
  write(level, fields, msg, extra = "") {
    this.#parent.write(level, fields, msg, this.#extra + extra);
  }
};
function serializeFields(fields) {
  let out = "";
  for (const key in fields) {
    const value = fields[key];
    if (value === void 0) continue;
    out += `,${JSON.stringify(key)}:${JSON.stringify(value instanceof Error ? describeError(value) : value)}`;
  }
  return out;
}
function describeError(error) {
  return { type: error.name, message: error.message, code: error.code, stack: error.stack };
}
function parseLevel(text) {
  return text !== void 0 && text in LEVELS ? text : "info";
}
function levelName(level) {
  return Object.keys(LEVELS).find((name) => LEVELS[name] === level) ?? "info";
}
function createLogger(bindings = {}) {
  return new Logger({ service: "lookout-proxy", pid: process.pid, ...bindings });
}

// src/metrics/metric-data.ts
import { ValueType } from "@opentelemetry/api";
import { AggregationTemporality, DataPointType } from "@opentelemetry/sdk-metrics";
function hrTime(epochMs) {
  const seconds = Math.floor(epochMs / 1e3);
  return [seconds, Math.round((epochMs - seconds * 1e3) * 1e6)];
}
function hrNow() {
  return hrTime(performance.timeOrigin + performance.now());
}
function dataPoints(points, startTime, endTime) {
  return points.map((point) => ({ startTime: point.startTime ?? startTime, endTime, attributes: point.attributes, value: point.value }));
}
function sumData(spec, monotonic, points, startTime, endTime) {
  return {
    descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: dataPoints(points, startTime, endTime)
  };
}
function gaugeData(spec, points, startTime, endTime) {
  return {
    descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: dataPoints(points, startTime, endTime)
  };
}
function histogramData(spec, points, startTime, endTime) {
  return {
    descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: dataPoints(points, startTime, endTime)
  };
}

// src/metrics/metric-descriptors.ts
var METRICS = {
  // --- HTTP server (the proxy's clients) ---------------------------------------------------
  httpServerRequestDuration: { name: "http.server.request.duration", unit: "s", description: "Duration of HTTP server requests." },
  httpServerActiveRequests: { name: "http.server.active_requests", unit: "{request}", description: "Number of active HTTP server requests." },
  // --- Upstream members (the proxy as an HTTP client) ---------------------------------------
  httpClientOpenConnections: { name: "http.client.open_connections", unit: "{connection}", description: "Number of outbound HTTP connections to the upstream member that are currently active or idle in its pool." },
  httpClientActiveRequests: { name: "http.client.active_requests", unit: "{request}", description: "Number of requests the proxy has in flight to the upstream member (queued in its pool included)." },
  upstreamRequests: { name: "lookout.upstream.requests", unit: "{request}", description: "Requests in the upstream member's connection pool by undici state: queued (waiting for a connection), pending (assigned, not yet written), running (written, awaiting the response)." },
  upstreamMemberHealthy: { name: "lookout.upstream.member.healthy", unit: "{member}", description: "Verdict of the active health check: 1 healthy, 0 unhealthy (a sum over members counts the healthy ones)." },
  upstreamMemberEjected: { name: "lookout.upstream.member.ejected", unit: "{member}", description: "Passive outlier ejection: 1 while the member is ejected, else 0." },
  upstreamRetries: { name: "lookout.upstream.retries", unit: "{retry}", description: "Tries repeated on another upstream member after a failed try." },
  upstreamFailures: { name: "lookout.upstream.failures", unit: "{failure}", description: "Failed tries to an upstream member, by error type." },
  // --- Telemetry pipeline ------------------------------------------------------------------
  telemetryEmitted: { name: "lookout.telemetry.events.emitted", unit: "{event}", description: "Request events handed to the telemetry pipeline." },
  telemetryDelivered: { name: "lookout.telemetry.events.delivered", unit: "{event}", description: "Request events stored by the sink." },
  telemetrySpooled: { name: "lookout.telemetry.events.spooled", unit: "{event}", description: "Request events written to the disk spool while the sink was unavailable." },
  telemetryReplayed: { name: "lookout.telemetry.events.replayed", unit: "{event}", description: "Spooled request events replayed to the sink." },
  telemetryDropped: { name: "lookout.telemetry.events.dropped", unit: "{event}", description: "Request events lost, by reason." },
  telemetryQueueDepth: { name: "lookout.telemetry.queue.depth", unit: "{event}", description: "Request events waiting in the in-memory queue." },
  telemetrySpoolSize: { name: "lookout.telemetry.spool.size", unit: "By", description: "Size of the disk spool." },
  // --- Node.js runtime ---------------------------------------------------------------------
  eventLoopDelayMin: { name: "nodejs.eventloop.delay.min", unit: "s", description: "Event loop minimum delay since the previous collection (includes the 10 ms sampling resolution)." },
  eventLoopDelayMax: { name: "nodejs.eventloop.delay.max", unit: "s", description: "Event loop maximum delay since the previous collection (includes the 10 ms sampling resolution)." },
  eventLoopDelayMean: { name: "nodejs.eventloop.delay.mean", unit: "s", description: "Event loop mean delay since the previous collection (includes the 10 ms sampling resolution)." },
  eventLoopDelayStddev: { name: "nodejs.eventloop.delay.stddev", unit: "s", description: "Event loop standard deviation of delay since the previous collection." },
  eventLoopDelayP50: { name: "nodejs.eventloop.delay.p50", unit: "s", description: "Event loop 50th percentile delay since the previous collection (includes the 10 ms sampling resolution)." },
  eventLoopDelayP90: { name: "nodejs.eventloop.delay.p90", unit: "s", description: "Event loop 90th percentile delay since the previous collection (includes the 10 ms sampling resolution)." },
  eventLoopDelayP99: { name: "nodejs.eventloop.delay.p99", unit: "s", description: "Event loop 99th percentile delay since the previous collection (includes the 10 ms sampling resolution)." },
  eventLoopUtilization: { name: "nodejs.eventloop.utilization", unit: "1", description: "Event loop utilization since the previous collection." },
  eventLoopTime: { name: "nodejs.eventloop.time", unit: "s", description: "Cumulative duration of time the event loop has been in each state." },
  gcDuration: { name: "v8js.gc.duration", unit: "s", description: "Garbage collection duration." },
  heapUsed: { name: "v8js.memory.heap.used", unit: "By", description: "Heap memory used, by heap space." },
  heapSpaceSize: { name: "v8js.memory.heap.space.size", unit: "By", description: "Heap memory reserved for the heap space." },
  heapSpaceAvailable: { name: "v8js.memory.heap.space.available_size", unit: "By", description: "Heap space available size." },
  heapSpacePhysical: { name: "v8js.memory.heap.space.physical_size", unit: "By", description: "Committed size of a heap space." },
  processCpuTime: { name: "process.cpu.time", unit: "s", description: "Total CPU seconds broken down by CPU mode." },
  processCpuUtilization: { name: "process.cpu.utilization", unit: "1", description: "CPU time since the previous collection divided by the elapsed time and the number of CPUs available to the process." },
  processMemoryUsage: { name: "process.memory.usage", unit: "By", description: "The amount of physical memory in use (resident set size)." },
  processUptime: { name: "process.uptime", unit: "s", description: "The time the process has been running." },
  // --- This module ---------------------------------------------------------------------------
  otlpExportFailures: { name: "lookout.metrics.otlp.export.failures", unit: "{export}", description: "OTLP metric exports that failed after the exporter gave up retrying." }
};
var ATTR = {
  /** The proxy service (config `services[].name`) that handled the request. */
  service: "lookout.service",
  /** Set (true) on requests that are health probes, so SLIs and dashboards can exclude them. */
  probe: "lookout.probe",
  upstreamRequestState: "lookout.upstream.request.state",
  telemetryDropReason: "lookout.telemetry.drop_reason"
};
var HTTP_DURATION_BOUNDARIES = [5e-3, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
var GC_DURATION_BOUNDARIES = [0.01, 0.1, 1, 10];

// src/metrics/http-server-metrics.ts
var METHODS = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE", "_OTHER"];
var OTHER = METHODS.length - 1;
function methodIndex(method) {
  switch (method) {
    case "GET":
      return 2;
    case "POST":
      return 6;
    case "PUT":
      return 7;
    case "HEAD":
      return 3;
    case "DELETE":
      return 1;
    case "OPTIONS":
      return 4;
    case "PATCH":
      return 5;
    case "CONNECT":
      return 0;
    case "TRACE":
      return 9;
    case "QUERY":
      return 8;
    default:
      return OTHER;
  }
}
var BOUNDARIES = HTTP_DURATION_BOUNDARIES;
var BUCKETS = BOUNDARIES.length + 1;
var DurationSeries = class {
  attributes;
  startTime;
  counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  constructor(attributes) {
    this.attributes = attributes;
    this.startTime = hrNow();
  }
};
var HttpServerMetrics = class {
  #scheme;
  #maxSeries;
  #services = /* @__PURE__ */ new Map();
  #terminations = /* @__PURE__ */ new Map([["", 0]]);
  #active = new Float64Array(METHODS.length);
  /** 1 for methods whose active count was ever non-zero at a collection. */
  #activeReported = new Uint8Array(METHODS.length);
  #activeStart = hrNow();
  #seriesCount = 0;
  #overflow = void 0;
  // The last service looked up: most traffic goes to few services, and a pointer comparison
  // is cheaper than hashing the name again.
  #lastName = void 0;
  #lastSeries = void 0;
  constructor(options3 = {}) {
    this.#scheme = options3.scheme ?? "http";
    this.#maxSeries = options3.maxSeries ?? 2e3;
  }
  /** A request arrived (pair with requestEnded). */
  requestStarted(method) {
    this.#active[methodIndex(method)]++;
  }
  /** A request counted by requestStarted is over. */
  requestEnded(method) {
    this.#active[methodIndex(method)]--;
  }
  /**
   * Records one finished request.
   * @param service the proxy service that handled it; '' when none did (no route)
   * @param statusCode the status sent to the client; 0 when none was sent
   * @param termination the termination code when the proxy ended the request itself; '' otherwise
   * @param probe whether the request was a health probe
   */
  recordRequest(service, method, statusCode, durationSeconds, termination, probe) {
    let byKey;
    if (service === this.#lastName) byKey = this.#lastSeries;
    else {
      byKey = this.#services.get(service);
      if (byKey === void 0) {
        byKey = /* @__PURE__ */ new Map();
        this.#services.set(service, byKey);
      }
      this.#lastName = service;
      this.#lastSeries = byKey;
    }
    const slot = methodIndex(method);
    const status = statusCode >= 0 && statusCode < 1e3 ? statusCode | 0 : 0;
    const terminationIndex = termination === "" ? 0 : this.#terminations.get(termination) ?? this.#internTermination(termination);
    const key = ((terminationIndex * 2 + (probe ? 1 : 0)) * 16 + slot) * 1e3 + status;
    const series = byKey.get(key) ?? this.#addSeries(byKey, key, service, slot, status, termination, probe);
    const seconds = durationSeconds >= 0 ? durationSeconds : 0;
    let bucket = 0;
    while (bucket < BUCKETS - 1 && seconds > BOUNDARIES[bucket]) bucket++;
    series.counts[bucket]++;
    series.count++;
    series.sum += seconds;
    if (seconds < series.min) series.min = seconds;
    if (seconds > series.max) series.max = seconds;
  }
  /** The current state as OpenTelemetry metric data. */
  collect(endTime) {
    const points = [];
    const boundaries = BOUNDARIES.slice();
    for (const byKey of this.#services.values()) {
      for (const series of byKey.values()) points.push(histogramPoint(series, boundaries));
    }
    if (this.#overflow !== void 0) points.push(histogramPoint(this.#overflow, boundaries));
    const active = [];
    for (let i = 0; i < METHODS.length; i++) {
      if (this.#active[i] !== 0) this.#activeReported[i] = 1;
      if (this.#activeReported[i] === 1) active.push({ attributes: { "http.request.method": METHODS[i], "url.scheme": this.#scheme }, value: this.#active[i] });
    }
    const metrics = [sumData(METRICS.httpServerActiveRequests, false, active, this.#activeStart, endTime)];
    if (points.length > 0) metrics.unshift(histogramData(METRICS.httpServerRequestDuration, points, endTime, endTime));
    return metrics;
  }
  #internTermination(termination) {
    const index = this.#terminations.size;
    this.#terminations.set(termination, index);
    return index;
  }
  #addSeries(byKey, key, service, methodIndex2, status, termination, probe) {
    if (this.#seriesCount >= this.#maxSeries) {
      this.#overflow ??= new DurationSeries({ "otel.metric.overflow": true });
      return this.#overflow;
    }
    const attributes = { "http.request.method": METHODS[methodIndex2], "url.scheme": this.#scheme };
    if (status !== 0) attributes["http.response.status_code"] = status;
    if (termination !== "") attributes["error.type"] = termination;
    else if (status >= 500) attributes["error.type"] = String(status);
    if (service !== "") attributes[ATTR.service] = service;
    if (probe) attributes[ATTR.probe] = true;
    const series = new DurationSeries(attributes);
    byKey.set(key, series);
    this.#seriesCount++;
    return series;
  }
};
function histogramPoint(series, boundaries) {
  return {
    attributes: series.attributes,
    startTime: series.startTime,
    value: {
      buckets: { boundaries, counts: Array.from(series.counts) },
      count: series.count,
      sum: series.sum,
      min: series.count > 0 ? series.min : void 0,
      max: series.count > 0 ? series.max : void 0
    }
  };
}

// src/metrics/otlp-export.ts
async function loadExporter(protocol) {
  const module = protocol === "http/json" ? await import("@opentelemetry/exporter-metrics-otlp-http") : await import("@opentelemetry/exporter-metrics-otlp-proto");
  return module.OTLPMetricExporter;
}
var OtlpExport = class _OtlpExport {
  #options;
  #exporter;
  #collect;
  #log;
  #onFailure;
  #timer;
  #inFlight = void 0;
  #failing = false;
  #stopped = void 0;
  constructor(options3, exporter, collect, log, onFailure) {
    this.#options = options3;
    this.#exporter = exporter;
    this.#collect = collect;
    this.#log = log;
    this.#onFailure = onFailure;
    this.#timer = setInterval(() => void this.exportNow(), options3.intervalMs);
    this.#timer.unref();
  }
  /** Loads the exporter and starts the interval; the first export happens after `intervalMs`. */
  static async start(options3, collect, log, onFailure) {
    const Exporter = await loadExporter(options3.protocol ?? "http/protobuf");
    const exporter = new Exporter({
      url: options3.url,
      headers: { ...options3.headers },
      timeoutMillis: Math.min(options3.timeoutMs ?? 1e4, options3.intervalMs)
    });
    log.info({ endpoint: redactUrl(options3.url), intervalMs: options3.intervalMs, protocol: options3.protocol ?? "http/protobuf" }, "OTLP metric export started");
    return new _OtlpExport(options3, exporter, collect, log, onFailure);
  }
  /** Exports once now (skipped while an export runs); resolves whether it succeeded. */
  exportNow() {
    this.#inFlight ??= this.#export().finally(() => {
      this.#inFlight = void 0;
    });
    return this.#inFlight;
  }
  /** Stops the interval, exports what was recorded since the last export, closes the exporter. */
  stop() {
    this.#stopped ??= (async () => {
      clearInterval(this.#timer);
      await this.#inFlight;
      await this.exportNow();
      await this.#exporter.shutdown();
    })();
    return this.#stopped;
  }
  async #export() {
    let result;
    try {
      const metrics = await this.#collect();
      result = await new Promise((resolve) => this.#exporter.export(metrics, resolve));
    } catch (error) {
      result = { code: 1, error };
    }
    if (result.code === 0) {
      if (this.#failing) this.#log.info({ endpoint: redactUrl(this.#options.url) }, "OTLP metric export recovered");
      this.#failing = false;
      return true;
    }
    this.#onFailure();
    if (!this.#failing) this.#log.warn({ endpoint: redactUrl(this.#options.url), err: result.error }, "OTLP metric export failed; retrying at the next interval");
    this.#failing = true;
    return false;
  }
};
function redactUrl(url) {
  if (!URL.canParse(url)) return "(invalid URL)";
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

// src/metrics/prometheus-exposition.ts
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { DataPointType as DataPointType2 } from "@opentelemetry/sdk-metrics";
var UNIT_SUFFIX = { s: "seconds", ms: "milliseconds", By: "bytes" };
var PrometheusExposition = class {
  #serializer = new PrometheusSerializer();
  serialize(resourceMetrics) {
    return this.#serializer.serialize({
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({ scope: scope.scope, metrics: scope.metrics.map(withUnitSuffix) }))
    });
  }
};
function withUnitSuffix(metric) {
  const { name, unit } = metric.descriptor;
  const suffix = unit === "1" ? metric.dataPointType === DataPointType2.GAUGE ? "ratio" : "" : UNIT_SUFFIX[unit] ?? "";
  if (suffix === "" || name.endsWith(`.${suffix}`) || name.endsWith(`_${suffix}`)) return metric;
  return { ...metric, descriptor: { ...metric.descriptor, name: `${name}.${suffix}` } };
}

// src/metrics/runtime-metrics.ts
import { availableParallelism } from "node:os";
import { constants, monitorEventLoopDelay, performance as performance2, PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { ValueType as ValueType2 } from "@opentelemetry/api";
var GC_KIND = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: { "v8js.gc.type": "major" },
  [constants.NODE_PERFORMANCE_GC_MINOR]: { "v8js.gc.type": "minor" },
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: { "v8js.gc.type": "incremental" },
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: { "v8js.gc.type": "weakcb" }
};
function options(spec, valueType = ValueType2.DOUBLE) {
  return { unit: spec.unit, description: spec.description, valueType };
}
function registerRuntimeMetrics(meter, config = {}) {
  const delay = monitorEventLoopDelay({ resolution: config.eventLoopDelayResolutionMs ?? 10 });
  delay.enable();
  const delayGauges = [
    [meter.createObservableGauge(METRICS.eventLoopDelayMin.name, options(METRICS.eventLoopDelayMin)), () => delay.min],
    [meter.createObservableGauge(METRICS.eventLoopDelayMax.name, options(METRICS.eventLoopDelayMax)), () => delay.max],
    [meter.createObservableGauge(METRICS.eventLoopDelayMean.name, options(METRICS.eventLoopDelayMean)), () => delay.mean],
    [meter.createObservableGauge(METRICS.eventLoopDelayStddev.name, options(METRICS.eventLoopDelayStddev)), () => delay.stddev],
    [meter.createObservableGauge(METRICS.eventLoopDelayP50.name, options(METRICS.eventLoopDelayP50)), () => delay.percentile(50)],
    [meter.createObservableGauge(METRICS.eventLoopDelayP90.name, options(METRICS.eventLoopDelayP90)), () => delay.percentile(90)],
    [meter.createObservableGauge(METRICS.eventLoopDelayP99.name, options(METRICS.eventLoopDelayP99)), () => delay.percentile(99)]
  ];
  meter.addBatchObservableCallback(
    (result) => {
      if (delay.count > 0) for (const [gauge, read] of delayGauges) result.observe(gauge, read() / 1e9);
      delay.reset();
    },
    delayGauges.map(([gauge]) => gauge)
  );
  const eluGauge = meter.createObservableGauge(METRICS.eventLoopUtilization.name, options(METRICS.eventLoopUtilization));
  const eluTime = meter.createObservableCounter(METRICS.eventLoopTime.name, options(METRICS.eventLoopTime));
  let lastElu = performance2.eventLoopUtilization();
  const idle = { "nodejs.eventloop.state": "idle" };
  const active = { "nodejs.eventloop.state": "active" };
  meter.addBatchObservableCallback(
    (result) => {
      const now = performance2.eventLoopUtilization();
      result.observe(eluGauge, performance2.eventLoopUtilization(now, lastElu).utilization);
      result.observe(eluTime, now.idle / 1e3, idle);
      result.observe(eluTime, now.active / 1e3, active);
      lastElu = now;
    },
    [eluGauge, eluTime]
  );
  const cpuTime = meter.createObservableCounter(METRICS.processCpuTime.name, options(METRICS.processCpuTime));
  const cpuUtilization = meter.createObservableGauge(METRICS.processCpuUtilization.name, options(METRICS.processCpuUtilization));
  const cpus = availableParallelism();
  const user = { "cpu.mode": "user" };
  const system = { "cpu.mode": "system" };
  let lastCpu = process.cpuUsage();
  let lastCpuAt = performance2.now();
  meter.addBatchObservableCallback(
    (result) => {
      const cpu = process.cpuUsage();
      const at = performance2.now();
      result.observe(cpuTime, cpu.user / 1e6, user);
      result.observe(cpuTime, cpu.system / 1e6, system);
      const elapsedMicros = (at - lastCpuAt) * 1e3;
      if (elapsedMicros > 0) {
        result.observe(cpuUtilization, (cpu.user - lastCpu.user) / (elapsedMicros * cpus), user);
        result.observe(cpuUtilization, (cpu.system - lastCpu.system) / (elapsedMicros * cpus), system);
      }
      lastCpu = cpu;
      lastCpuAt = at;
    },
    [cpuTime, cpuUtilization]
  );
  meter.createObservableUpDownCounter(METRICS.processMemoryUsage.name, options(METRICS.processMemoryUsage, ValueType2.INT)).addCallback((result) => result.observe(process.memoryUsage.rss()));
  meter.createObservableGauge(METRICS.processUptime.name, options(METRICS.processUptime)).addCallback((result) => result.observe(process.uptime()));
  const heapUsed = meter.createObservableUpDownCounter(METRICS.heapUsed.name, options(METRICS.heapUsed, ValueType2.INT));
  const heapSize = meter.createObservableUpDownCounter(METRICS.heapSpaceSize.name, options(METRICS.heapSpaceSize, ValueType2.INT));
  const heapAvailable = meter.createObservableUpDownCounter(METRICS.heapSpaceAvailable.name, options(METRICS.heapSpaceAvailable, ValueType2.INT));
  const heapPhysical = meter.createObservableUpDownCounter(METRICS.heapSpacePhysical.name, options(METRICS.heapSpacePhysical, ValueType2.INT));
  const spaceAttributes = /* @__PURE__ */ new Map();
  meter.addBatchObservableCallback(
    (result) => {
      for (const space of getHeapSpaceStatistics()) {
        if (space.space_size === 0 && !spaceAttributes.has(space.space_name)) continue;
        let attributes = spaceAttributes.get(space.space_name);
        if (attributes === void 0) {
          attributes = { "v8js.heap.space.name": space.space_name };
          spaceAttributes.set(space.space_name, attributes);
        }
        result.observe(heapUsed, space.space_used_size, attributes);
        result.observe(heapSize, space.space_size, attributes);
        result.observe(heapAvailable, space.space_available_size, attributes);
        result.observe(heapPhysical, space.physical_space_size, attributes);
      }
    },
    [heapUsed, heapSize, heapAvailable, heapPhysical]
  );
  const gcDuration = meter.createHistogram(METRICS.gcDuration.name, {
    ...options(METRICS.gcDuration),
    advice: { explicitBucketBoundaries: [...GC_DURATION_BOUNDARIES] }
  });
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind;
      const attributes = kind === void 0 ? void 0 : GC_KIND[kind];
      if (attributes !== void 0) gcDuration.record(entry.duration / 1e3, attributes);
    }
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  return {
    stop() {
      delay.disable();
      gcObserver.disconnect();
    }
  };
}

// src/metrics/telemetry-pipeline-metrics.ts
import { ValueType as ValueType3 } from "@opentelemetry/api";
function options2(spec) {
  return { unit: spec.unit, description: spec.description, valueType: ValueType3.INT };
}
function registerTelemetryPipelineMetrics(meter, provider) {
  const emitted = meter.createObservableCounter(METRICS.telemetryEmitted.name, options2(METRICS.telemetryEmitted));
  const delivered = meter.createObservableCounter(METRICS.telemetryDelivered.name, options2(METRICS.telemetryDelivered));
  const spooled = meter.createObservableCounter(METRICS.telemetrySpooled.name, options2(METRICS.telemetrySpooled));
  const replayed = meter.createObservableCounter(METRICS.telemetryReplayed.name, options2(METRICS.telemetryReplayed));
  const dropped = meter.createObservableCounter(METRICS.telemetryDropped.name, options2(METRICS.telemetryDropped));
  const queueDepth = meter.createObservableUpDownCounter(METRICS.telemetryQueueDepth.name, options2(METRICS.telemetryQueueDepth));
  const spoolSize = meter.createObservableUpDownCounter(METRICS.telemetrySpoolSize.name, options2(METRICS.telemetrySpoolSize));
  const reasons = /* @__PURE__ */ new Map();
  meter.addBatchObservableCallback(
    (result) => {
      const stats = provider()?.();
      if (stats === void 0) return;
      result.observe(emitted, stats.emitted);
      result.observe(delivered, stats.delivered);
      result.observe(spooled, stats.spooled);
      result.observe(replayed, stats.replayed);
      for (const reason in stats.dropped) {
        let attributes = reasons.get(reason);
        if (attributes === void 0) {
          attributes = { [ATTR.telemetryDropReason]: reason };
          reasons.set(reason, attributes);
        }
        result.observe(dropped, stats.dropped[reason], attributes);
      }
      result.observe(queueDepth, stats.queueDepth);
      result.observe(spoolSize, stats.spoolBytes);
    },
    [emitted, delivered, spooled, replayed, dropped, queueDepth, spoolSize]
  );
}

// src/metrics/upstream-metrics.ts
var UpstreamMetrics = class {
  #startTime;
  #attributes = /* @__PURE__ */ new WeakMap();
  #retries = /* @__PURE__ */ new Map();
  #failures = /* @__PURE__ */ new Map();
  #members = void 0;
  constructor(startTime) {
    this.#startTime = startTime;
  }
  /** Sets (or replaces) the source of the member list. */
  setMembersProvider(provider) {
    this.#members = provider;
  }
  /** Counts tries repeated on another member; call once per request with `tries - 1`. */
  recordRetries(service, retries) {
    if (!(retries > 0)) return;
    let cell = this.#retries.get(service);
    if (cell === void 0) {
      cell = { attributes: { [ATTR.service]: service }, value: 0 };
      this.#retries.set(service, cell);
    }
    cell.value += retries;
  }
  /** Counts one failed try to `memberUrl`; `errorType` is the termination code of the failure. */
  recordUpstreamFailure(service, memberUrl, errorType) {
    const key = `${service}
${memberUrl}
${errorType}`;
    let cell = this.#failures.get(key);
    if (cell === void 0) {
      const { address, port } = serverOf(memberUrl);
      cell = { attributes: { [ATTR.service]: service, "server.address": address, "server.port": port, "error.type": errorType }, value: 0 };
      this.#failures.set(key, cell);
    }
    cell.value++;
  }
  collect(endTime) {
    const connections = [];
    const active = [];
    const requests = [];
    const healthy = [];
    const ejected = [];
    const now = Date.now();
    for (const { service, member } of this.#members?.() ?? []) {
      const attributes = this.#attributesOf(service, member);
      const stats = member.pool.stats;
      connections.push({ attributes: attributes.connectionsActive, value: stats.connected - stats.free }, { attributes: attributes.connectionsIdle, value: stats.free });
      active.push({ attributes: attributes.base, value: member.active });
      requests.push(
        { attributes: attributes.queued, value: stats.queued },
        { attributes: attributes.pending, value: stats.pending - stats.queued },
        { attributes: attributes.running, value: stats.running }
      );
      healthy.push({ attributes: attributes.base, value: member.healthy ? 1 : 0 });
      ejected.push({ attributes: attributes.base, value: member.ejectedUntil > now ? 1 : 0 });
    }
    const start = this.#startTime;
    const metrics = [];
    if (connections.length > 0) {
      metrics.push(
        sumData(METRICS.httpClientOpenConnections, false, connections, start, endTime),
        sumData(METRICS.httpClientActiveRequests, false, active, start, endTime),
        sumData(METRICS.upstreamRequests, false, requests, start, endTime),
        gaugeData(METRICS.upstreamMemberHealthy, healthy, start, endTime),
        gaugeData(METRICS.upstreamMemberEjected, ejected, start, endTime)
      );
    }
    if (this.#retries.size > 0) metrics.push(sumData(METRICS.upstreamRetries, true, [...this.#retries.values()], start, endTime));
    if (this.#failures.size > 0) metrics.push(sumData(METRICS.upstreamFailures, true, [...this.#failures.values()], start, endTime));
    return metrics;
  }
  #attributesOf(service, member) {
    let byService = this.#attributes.get(member);
    if (byService === void 0) {
      byService = /* @__PURE__ */ new Map();
      this.#attributes.set(member, byService);
    }
    let attributes = byService.get(service);
    if (attributes === void 0 || attributes.url !== member.url) {
      const { address, port, scheme } = serverOf(member.url);
      const base = { [ATTR.service]: service, "server.address": address, "server.port": port, "url.scheme": scheme };
      attributes = {
        url: member.url,
        base,
        connectionsActive: { ...base, "http.connection.state": "active" },
        connectionsIdle: { ...base, "http.connection.state": "idle" },
        queued: { ...base, [ATTR.upstreamRequestState]: "queued" },
        pending: { ...base, [ATTR.upstreamRequestState]: "pending" },
        running: { ...base, [ATTR.upstreamRequestState]: "running" }
      };
      byService.set(service, attributes);
    }
    return attributes;
  }
};
function serverOf(origin) {
  if (!URL.canParse(origin)) return { address: origin, port: 0, scheme: "" };
  const url = new URL(origin);
  const scheme = url.protocol.slice(0, -1);
  const address = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { address, port: Number(url.port || (scheme === "https" ? 443 : 80)), scheme };
}

// src/metrics/proxy-metrics.ts
var SCOPE = { name: "lookout-proxy" };
var ERROR_LOG_INTERVAL_MS = 6e4;
var OnDemandReader = class extends MetricReader {
  async onShutdown() {
  }
  async onForceFlush() {
  }
};
var ProxyMetrics = class {
  #http;
  #upstream;
  #provider;
  #reader;
  #exposition = new PrometheusExposition();
  #runtime;
  #log;
  #startTime = hrNow();
  #telemetry;
  #collecting = Promise.resolve();
  #otlp = void 0;
  #otlpFailures = 0;
  #lastErrorLogAt = -Infinity;
  #shutdown = void 0;
  constructor(options3 = {}) {
    this.#log = options3.log ?? createLogger({ component: "metrics" });
    this.#http = new HttpServerMetrics({ scheme: options3.scheme, maxSeries: options3.maxRequestSeries });
    this.#upstream = new UpstreamMetrics(this.#startTime);
    this.#upstream.setMembersProvider(options3.members);
    this.#telemetry = options3.telemetry;
    const producer = { collect: async () => this.#produce() };
    this.#reader = new OnDemandReader({ metricProducers: [producer] });
    const resource = defaultResource().merge(
      resourceFromAttributes({
        "service.name": options3.serviceName ?? "lookout-proxy",
        ...options3.serviceVersion === void 0 ? {} : { "service.version": options3.serviceVersion },
        "service.instance.id": randomUUID(),
        "host.name": hostname(),
        "process.pid": process.pid,
        "process.runtime.name": "nodejs",
        "process.runtime.version": process.versions.node,
        ...options3.resourceAttributes
      })
    ).merge(detectResources({ detectors: [envDetector] }));
    this.#provider = new MeterProvider({ resource, readers: [this.#reader] });
    const meter = this.#provider.getMeter(SCOPE.name);
    if (options3.runtime !== false) this.#runtime = registerRuntimeMetrics(meter, { eventLoopDelayResolutionMs: options3.eventLoopDelayResolutionMs });
    registerTelemetryPipelineMetrics(meter, () => this.#telemetry);
  }
  // --- hot path ------------------------------------------------------------------------
  /** A request arrived: counts in `http.server.active_requests` until requestEnded. */
  requestStarted(method) {
    this.#http.requestStarted(method);
  }
  /** The request counted by requestStarted is over. */
  requestEnded(method) {
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
  recordRequest(service, method, statusCode, durationSeconds, termination, probe) {
    this.#http.recordRequest(service, method, statusCode, durationSeconds, termination, probe);
  }
  /** Counts retried tries of one request (`tries - 1`), in `lookout.upstream.retries`. */
  recordRetries(service, retries) {
    this.#upstream.recordRetries(service, retries);
  }
  /** Counts one failed try to an upstream member, in `lookout.upstream.failures`. */
  recordUpstreamFailure(service, memberUrl, errorType) {
    this.#upstream.recordUpstreamFailure(service, memberUrl, errorType);
  }
  // --- sources -------------------------------------------------------------------------
  setMembersProvider(provider) {
    this.#upstream.setMembersProvider(provider);
  }
  setTelemetryProvider(provider) {
    this.#telemetry = provider;
  }
  // --- output --------------------------------------------------------------------------
  /** Collects every metric now. Collections run one at a time. */
  collect() {
    const run = this.#collecting.then(() => this.#reader.collect());
    this.#collecting = run.catch(() => void 0);
    return run.then((result) => this.#checked(result));
  }
  /** Every metric in the Prometheus text format; serve it with PROMETHEUS_CONTENT_TYPE. */
  async scrape() {
    return this.#exposition.serialize(await this.collect());
  }
  /**
   * Starts pushing metrics to an OTLP/HTTP endpoint every `intervalMs` (replacing a previous
   * export, e.g. after a config reload). Resolves once the exporter is loaded.
   */
  async startOtlpExport(options3) {
    await this.stopOtlpExport();
    this.#otlp = await OtlpExport.start(options3, () => this.collect(), this.#log, () => this.#otlpFailures++);
  }
  /** Exports once now; resolves false when no export is configured or it failed. */
  async exportOtlpNow() {
    return await this.#otlp?.exportNow() ?? false;
  }
  /** Stops OTLP export after a last export of what was recorded since the previous one. */
  async stopOtlpExport() {
    const otlp = this.#otlp;
    this.#otlp = void 0;
    await otlp?.stop();
  }
  /** Stops OTLP export (flushing it), the runtime monitors and the SDK. */
  shutdown() {
    this.#shutdown ??= (async () => {
      await this.stopOtlpExport();
      this.#runtime?.stop();
      await this.#provider.shutdown();
    })();
    return this.#shutdown;
  }
  // --- internals -----------------------------------------------------------------------
  async #produce() {
    const endTime = hrNow();
    const metrics = [...this.#http.collect(endTime), ...this.#upstream.collect(endTime)];
    if (this.#otlp !== void 0 || this.#otlpFailures > 0) {
      metrics.push(sumData(METRICS.otlpExportFailures, true, [{ attributes: {}, value: this.#otlpFailures }], this.#startTime, endTime));
    }
    return { resourceMetrics: { resource: defaultResource(), scopeMetrics: [{ scope: SCOPE, metrics }] }, errors: [] };
  }
  /** Merges the SDK's and the producer's metrics of the same scope; logs collection errors. */
  #checked(result) {
    if (result.errors.length > 0) {
      const now = performance.now();
      if (now - this.#lastErrorLogAt >= ERROR_LOG_INTERVAL_MS) {
        this.#lastErrorLogAt = now;
        this.#log.warn({ err: result.errors[0] instanceof Error ? result.errors[0] : String(result.errors[0]), errors: result.errors.length }, "metric collection reported errors");
      }
    }
    const byScope = /* @__PURE__ */ new Map();
    for (const scope of result.resourceMetrics.scopeMetrics) {
      const key = `${scope.scope.name}
${scope.scope.version ?? ""}
${scope.scope.schemaUrl ?? ""}`;
      const existing = byScope.get(key);
      if (existing === void 0) byScope.set(key, { scope: scope.scope, metrics: [...scope.metrics] });
      else existing.metrics.push(...scope.metrics);
    }
    return { resource: result.resourceMetrics.resource, scopeMetrics: [...byScope.values()] };
  }
};
export {
  Logger,
  ProxyMetrics
};
