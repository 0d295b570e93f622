import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { gaugeData, histogramData, hrNow, sumData } from './metric-data.ts';
import { PrometheusExposition } from './prometheus-exposition.ts';

const now = hrNow();
const resource = resourceFromAttributes({ 'service.name': 'lookout-proxy' });
const spec = (name: string, unit: string) => ({ name, unit, description: `help for ${name}` });

describe('PrometheusExposition', () => {
  it('names metrics as the OpenTelemetry-to-Prometheus rules do: unit suffixes, _ratio gauges, _total counters', () => {
    const text = new PrometheusExposition().serialize({
      resource,
      scopeMetrics: [
        {
          scope: { name: 'test' },
          metrics: [
            sumData(spec('process.cpu.time', 's'), true, [{ attributes: {}, value: 1.5 }], now, now),
            sumData(spec('process.memory.usage', 'By'), false, [{ attributes: {}, value: 1024 }], now, now),
            gaugeData(spec('nodejs.eventloop.utilization', '1'), [{ attributes: {}, value: 0.25 }], now, now),
            sumData(spec('lookout.upstream.retries', '{retry}'), true, [{ attributes: {}, value: 3 }], now, now),
            sumData(spec('lookout.requests_total', '{request}'), true, [{ attributes: {}, value: 1 }], now, now),
          ],
        },
      ],
    });
    expect(text).toContain('# TYPE process_cpu_time_seconds_total counter\nprocess_cpu_time_seconds_total{otel_scope_name="test"} 1.5\n');
    expect(text).toContain('# TYPE process_memory_usage_bytes gauge\nprocess_memory_usage_bytes{otel_scope_name="test"} 1024\n');
    expect(text).toContain('nodejs_eventloop_utilization_ratio{otel_scope_name="test"} 0.25\n');
    expect(text).toContain('lookout_upstream_retries_total{otel_scope_name="test"} 3\n');
    expect(text).toContain('lookout_requests_total{otel_scope_name="test"} 1\n');
  });

  it('escapes label values and help text, and writes numbers as their shortest round-trip form', () => {
    const text = new PrometheusExposition().serialize({
      resource,
      scopeMetrics: [
        {
          scope: { name: 'test', version: '1.0' },
          metrics: [
            gaugeData({ name: 'x', unit: '', description: 'line one\nback\\slash' }, [{ attributes: { 'odd.key': 'a "quoted"\nvalue\\', n: 7, ok: true }, value: 0.1 + 0.2 }], now, now),
            gaugeData({ name: 'y', unit: '', description: '' }, [{ attributes: {}, value: Infinity }, { attributes: { k: 'v' }, value: Number.NaN }], now, now),
          ],
        },
      ],
    });
    expect(text).toContain('# HELP x line one\\nback\\\\slash\n');
    expect(text).toContain('x{odd_key="a \\"quoted\\"\\nvalue\\\\",n="7",ok="true",otel_scope_name="test",otel_scope_version="1.0"} 0.30000000000000004\n');
    expect(text).toContain('y{otel_scope_name="test",otel_scope_version="1.0"} +Inf\n');
    expect(text).toContain('y{k="v",otel_scope_name="test",otel_scope_version="1.0"} NaN\n');
    expect(text.startsWith('# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{service_name="lookout-proxy"} 1\n')).toBe(true);
  });

  it('writes one TYPE per name across scopes and leaves out a later metric of another type under that name', () => {
    const histogram = { buckets: { boundaries: [1], counts: [1, 0] }, count: 1, sum: 0.5 };
    const text = new PrometheusExposition().serialize({
      resource,
      scopeMetrics: [
        { scope: { name: 'a' }, metrics: [gaugeData(spec('dup', ''), [{ attributes: {}, value: 1 }], now, now)] },
        { scope: { name: 'b' }, metrics: [gaugeData(spec('dup', ''), [{ attributes: {}, value: 2 }], now, now), histogramData(spec('dup', ''), [{ attributes: {}, value: histogram }], now, now)] },
      ],
    });
    expect(text.match(/# TYPE dup /g)).toHaveLength(1);
    expect(text).toContain('# TYPE dup gauge\ndup{otel_scope_name="a"} 1\ndup{otel_scope_name="b"} 2\n');
    expect(text).not.toContain('dup_bucket');
  });
});
