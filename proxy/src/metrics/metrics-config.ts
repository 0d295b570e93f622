import { z } from 'zod';
import { duration } from '../config/duration.ts';
import type { OtlpExportOptions, OtlpProtocol } from './otlp-export.ts';

const METRICS_PATH = '/v1/metrics';

const otlpEndpoint = z.string().refine(
  (text) => URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol),
  { message: 'expected an OTLP/HTTP endpoint such as "http://127.0.0.1:4318" or "https://otlp.example.com/v1/metrics"' },
);

const otlp = z.strictObject({
  /**
   * Where metrics are pushed. A URL whose path ends in `/v1/metrics` is used as is;
   * otherwise `/v1/metrics` is appended to its path (`http://collector:4318` ->
   * `http://collector:4318/v1/metrics`), as OTLP's base-endpoint rule does.
   */
  endpoint: otlpEndpoint,
  /** Time between two exports. */
  interval: duration.default(60_000),
  /** Time limit of one export, retries included. */
  timeout: duration.default(10_000),
  protocol: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  /** Extra request headers, e.g. `authorization`. Never logged. */
  headers: z.record(z.string(), z.string()).default({}),
});

/**
 * The `metrics:` section of the proxy config. Prometheus exposition needs no setting;
 * `otlp` turns on OTLP/HTTP export.
 *
 * @example
 * metrics:
 *   otlp: { endpoint: "http://127.0.0.1:4318", interval: 15s, headers: { authorization: "Bearer ..." } }
 */
export const metricsConfigSchema = z
  .strictObject({
    otlp: otlp.optional(),
  })
  .prefault({});

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

/** The full metrics URL for a configured endpoint (see `endpoint`). */
export function otlpMetricsUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith(METRICS_PATH)) url.pathname = `${url.pathname.replace(/\/+$/, '')}${METRICS_PATH}`;
  return url.href;
}

/**
 * The OTLP export to start, if any: the config's `metrics.otlp`, or else the standard
 * OpenTelemetry environment variables (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` as a full URL,
 * `OTEL_EXPORTER_OTLP_ENDPOINT` as a base, `OTEL_METRIC_EXPORT_INTERVAL`,
 * `OTEL_EXPORTER_OTLP[_METRICS]_PROTOCOL`; headers from `OTEL_EXPORTER_OTLP[_METRICS]_HEADERS`
 * are read by the exporter itself). `OTEL_SDK_DISABLED=true` turns env-driven export off.
 */
export function otlpExportOptions(config: MetricsConfig, env: NodeJS.ProcessEnv = process.env): OtlpExportOptions | undefined {
  if (config.otlp !== undefined) {
    const { endpoint, interval, timeout, protocol, headers } = config.otlp;
    return { url: otlpMetricsUrl(endpoint), intervalMs: interval, timeoutMs: timeout, protocol, headers };
  }
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const full = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = full ? full : base ? otlpMetricsUrl(base) : undefined;
  if (url === undefined || !URL.canParse(url)) return undefined;
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  const protocolText = (env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  const protocol: OtlpProtocol = protocolText === 'http/json' ? 'http/json' : 'http/protobuf';
  return { url, intervalMs: interval > 0 ? interval : 60_000, protocol };
}
