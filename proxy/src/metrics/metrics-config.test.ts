import { describe, expect, it } from 'vitest';
import { metricsConfigSchema, otlpExportOptions, otlpMetricsUrl } from './metrics-config.ts';

describe('metricsConfigSchema', () => {
  it('accepts a missing section as no OTLP export', () => {
    expect(metricsConfigSchema.parse(undefined)).toEqual({});
    expect(otlpExportOptions(metricsConfigSchema.parse(undefined), {})).toBeUndefined();
  });

  it('parses an OTLP section with durations and fills the defaults', () => {
    const config = metricsConfigSchema.parse({ otlp: { endpoint: 'http://127.0.0.1:4318', interval: '15s', headers: { authorization: 'Bearer x' } } });
    expect(config.otlp).toEqual({ endpoint: 'http://127.0.0.1:4318', interval: 15_000, timeout: 10_000, protocol: 'http/protobuf', headers: { authorization: 'Bearer x' } });
    expect(otlpExportOptions(config, {})).toEqual({
      url: 'http://127.0.0.1:4318/v1/metrics',
      intervalMs: 15_000,
      timeoutMs: 10_000,
      protocol: 'http/protobuf',
      headers: { authorization: 'Bearer x' },
    });
  });

  it('rejects an endpoint that is not an http(s) URL, and unknown keys, with messages naming the path', () => {
    const bad = metricsConfigSchema.safeParse({ otlp: { endpoint: 'collector:4317' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['otlp', 'endpoint']);
    expect(bad.error?.issues[0]?.message).toContain('OTLP/HTTP endpoint');
    const unknown = metricsConfigSchema.safeParse({ otlp: { endpoint: 'http://x:4318', intervall: '5s' } });
    expect(unknown.success).toBe(false);
    const badInterval = metricsConfigSchema.safeParse({ otlp: { endpoint: 'http://x:4318', interval: 'soon' } });
    expect(badInterval.error?.issues[0]?.path).toEqual(['otlp', 'interval']);
  });
});

describe('otlpMetricsUrl', () => {
  it('appends /v1/metrics to a base endpoint and keeps an endpoint that already names it', () => {
    expect(otlpMetricsUrl('http://collector:4318')).toBe('http://collector:4318/v1/metrics');
    expect(otlpMetricsUrl('http://collector:4318/')).toBe('http://collector:4318/v1/metrics');
    expect(otlpMetricsUrl('https://mimir.example.com/otlp')).toBe('https://mimir.example.com/otlp/v1/metrics');
    expect(otlpMetricsUrl('http://prometheus:9090/api/v1/otlp/v1/metrics')).toBe('http://prometheus:9090/api/v1/otlp/v1/metrics');
  });
});

describe('otlpExportOptions', () => {
  it('falls back to the standard OpenTelemetry environment variables when the config has no otlp section', () => {
    const none = metricsConfigSchema.parse({});
    expect(otlpExportOptions(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_METRIC_EXPORT_INTERVAL: '5000' })).toEqual({
      url: 'http://collector:4318/v1/metrics',
      intervalMs: 5_000,
      protocol: 'http/protobuf',
    });
    expect(otlpExportOptions(none, { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4318/custom', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({
      url: 'http://collector:4318/custom',
      intervalMs: 60_000,
      protocol: 'http/json',
    });
  });

  it('prefers the config to the environment and ignores the environment when OTEL_SDK_DISABLED is true', () => {
    const configured = metricsConfigSchema.parse({ otlp: { endpoint: 'http://from-config:4318' } });
    expect(otlpExportOptions(configured, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-env:4318' })?.url).toBe('http://from-config:4318/v1/metrics');
    expect(otlpExportOptions(metricsConfigSchema.parse({}), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-env:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
  });
});
