import type { Logger } from '../log.ts';
import type { OtlpExportOptions } from './otlp-export.ts';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-exposition.ts';
import { ProxyMetrics } from './proxy-metrics.ts';
import type { TelemetryStatsProvider } from './telemetry-pipeline-metrics.ts';

/** Running metrics: the instance the proxy records into, and the Prometheus scrape. */
export interface StartedMetrics {
  readonly metrics: ProxyMetrics;
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * Creates the proxy's metrics and starts OTLP export when configured. Loaded with a dynamic
 * import, only when something reads metrics (admin API or OTLP): the OpenTelemetry SDK costs
 * ~8 MiB RSS per process (measured).
 */
export async function startMetrics(options: {
  version: string;
  instanceId: string;
  /** `url.scheme` of the requests the proxy serves. */
  scheme: 'http' | 'https';
  otlp: OtlpExportOptions | undefined;
  telemetry: TelemetryStatsProvider;
  log: Logger;
}): Promise<StartedMetrics> {
  const metrics = new ProxyMetrics({
    serviceVersion: options.version,
    resourceAttributes: { 'service.instance.id': options.instanceId },
    scheme: options.scheme,
    telemetry: options.telemetry,
    log: options.log,
  });
  if (options.otlp !== undefined) await metrics.startOtlpExport(options.otlp);
  return { metrics, scrape: async () => ({ contentType: PROMETHEUS_CONTENT_TYPE, body: await metrics.scrape() }) };
}
