/**
 * Prometheus names (admin API /metrics) of the proxy metrics that the hardening runs read;
 * see proxy/src/metrics/metric-descriptors.ts for the OpenTelemetry names they come from.
 */
export const TELEMETRY_METRICS = {
  emitted: 'lookout_telemetry_events_emitted_total',
  delivered: 'lookout_telemetry_events_delivered_total',
  spooled: 'lookout_telemetry_events_spooled_total',
  replayed: 'lookout_telemetry_events_replayed_total',
  dropped: 'lookout_telemetry_events_dropped_total',
  queueDepth: 'lookout_telemetry_queue_depth',
  spoolEvents: 'lookout_telemetry_spool_events',
} as const;

/** Runtime metrics the soak samples. */
export const RUNTIME_METRICS = {
  rssBytes: 'process_memory_usage_bytes',
  eventLoopDelayP99: 'nodejs_eventloop_delay_p99_seconds',
  eventLoopDelayMax: 'nodejs_eventloop_delay_max_seconds',
  eventLoopDelayMean: 'nodejs_eventloop_delay_mean_seconds',
  eventLoopUtilization: 'nodejs_eventloop_utilization_ratio',
  heapUsedBytes: 'v8js_memory_heap_used_bytes',
} as const;
