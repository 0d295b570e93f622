import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** Content type of `scrape()`'s output: the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// UCUM unit -> Prometheus name suffix, per the OpenTelemetry-to-Prometheus compatibility spec
// (https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/#metric-metadata-1).
// `{...}` annotations add nothing. This is the name Prometheus itself gives the same metric
// when it ingests OTLP, so dashboards work with either path.
const UNIT_SUFFIX: Readonly<Record<string, string>> = { s: 'seconds', ms: 'milliseconds', By: 'bytes' };

/**
 * Serializes collected metrics in the Prometheus text format with OpenTelemetry's own
 * serializer (`otel_scope_name` labels, `target_info` for the resource, `_total` on counters),
 * after adding unit suffixes, which that serializer leaves out:
 * `http.server.request.duration` (s) -> `http_server_request_duration_seconds_bucket`.
 */
export class PrometheusExposition {
  readonly #serializer = new PrometheusSerializer();

  serialize(resourceMetrics: ResourceMetrics): string {
    return this.#serializer.serialize({
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({ scope: scope.scope, metrics: scope.metrics.map(withUnitSuffix) })),
    });
  }
}

function withUnitSuffix(metric: MetricData): MetricData {
  const { name, unit } = metric.descriptor;
  const suffix = unit === '1' ? (metric.dataPointType === DataPointType.GAUGE ? 'ratio' : '') : (UNIT_SUFFIX[unit] ?? '');
  if (suffix === '' || name.endsWith(`.${suffix}`) || name.endsWith(`_${suffix}`)) return metric;
  return { ...metric, descriptor: { ...metric.descriptor, name: `${name}.${suffix}` } };
}
