import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger } from '../log.ts';
import { Pool } from '../undici-parts.ts';
import { Member } from '../upstream/member.ts';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-exposition.ts';
import { ProxyMetrics } from './proxy-metrics.ts';
import { find, parseSamples, valueOf, type Sample } from './test-support/prometheus-samples.ts';
import type { TelemetryPipelineStats } from './telemetry-pipeline-metrics.ts';
import type { ServiceMember } from './upstream-metrics.ts';

const quiet = new Logger({}, 'fatal');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function metricsWith(options: ConstructorParameters<typeof ProxyMetrics>[0] = {}): ProxyMetrics {
  const metrics = new ProxyMetrics({ log: quiet, ...options });
  cleanups.push(() => metrics.shutdown());
  return metrics;
}

async function scrape(metrics: ProxyMetrics): Promise<Sample[]> {
  return parseSamples(await metrics.scrape());
}

describe('ProxyMetrics', () => {
  it('scrapes N recorded requests as a histogram with the exact count, sum and cumulative buckets', async () => {
    const metrics = metricsWith();
    const durations = [0.001, 0.002, 0.004, 0.005, 0.005, 0.02, 0.3, 0.3, 1, 12];
    for (const seconds of durations) metrics.recordRequest('checkout', 'GET', 200, seconds, '', false);
    for (let i = 0; i < 3; i++) metrics.recordRequest('checkout', 'POST', 503, 0.05, 'upstream_connect_failure', false);

    const samples = await scrape(metrics);
    const get = { http_request_method: 'GET', http_response_status_code: '200', url_scheme: 'http', lookout_service: 'checkout' };
    expect(valueOf(samples, 'http_server_request_duration_seconds_count', get)).toBe(durations.length);
    expect(valueOf(samples, 'http_server_request_duration_seconds_sum', get)).toBeCloseTo(durations.reduce((a, b) => a + b, 0), 9);
    const buckets = Object.fromEntries(find(samples, 'http_server_request_duration_seconds_bucket', get).map((sample) => [sample.labels.le, sample.value]));
    expect(buckets).toEqual({
      '0.005': 5,
      '0.01': 5,
      '0.025': 6,
      '0.05': 6,
      '0.075': 6,
      '0.1': 6,
      '0.25': 6,
      '0.5': 8,
      '0.75': 8,
      '1': 9,
      '2.5': 9,
      '5': 9,
      '7.5': 9,
      '10': 9,
      '+Inf': 10,
    });
    const failed = { http_request_method: 'POST', http_response_status_code: '503', error_type: 'upstream_connect_failure', lookout_service: 'checkout' };
    expect(valueOf(samples, 'http_server_request_duration_seconds_count', failed)).toBe(3);
    expect(valueOf(samples, 'http_server_request_duration_seconds_bucket', { ...failed, le: '0.05' })).toBe(3);
    expect(valueOf(samples, 'http_server_request_duration_seconds_bucket', { ...failed, le: '0.025' })).toBe(0);
  });

  it('writes the Prometheus text format with HELP and TYPE lines, scope labels and the resource as target_info', async () => {
    const metrics = metricsWith({ serviceVersion: '1.2.3', resourceAttributes: { 'service.instance.id': 'worker-1' } });
    metrics.recordRequest('checkout', 'GET', 200, 0.01, '', false);
    const text = await metrics.scrape();
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toContain('# HELP http_server_request_duration_seconds Duration of HTTP server requests.');
    const samples = parseSamples(text);
    expect(valueOf(samples, 'target_info', { service_name: 'lookout-proxy', service_version: '1.2.3', service_instance_id: 'worker-1' })).toBe(1);
    expect(find(samples, 'http_server_request_duration_seconds_count')[0]!.labels.otel_scope_name).toBe('lookout-proxy');
  });

  it('counts active requests per method between requestStarted and requestEnded', async () => {
    const metrics = metricsWith();
    metrics.requestStarted('GET');
    metrics.requestStarted('GET');
    metrics.requestStarted('DELETE');
    metrics.requestEnded('GET');
    const samples = await scrape(metrics);
    expect(valueOf(samples, 'http_server_active_requests', { http_request_method: 'GET', url_scheme: 'http' })).toBe(1);
    expect(valueOf(samples, 'http_server_active_requests', { http_request_method: 'DELETE' })).toBe(1);
  });

  it('exposes event-loop delay, event-loop utilization, CPU, memory and heap metrics', async () => {
    const metrics = metricsWith();
    await new Promise((resolve) => setTimeout(resolve, 80));
    const samples = await scrape(metrics);
    for (const name of ['p50', 'p90', 'p99', 'min', 'max', 'mean', 'stddev']) {
      expect(valueOf(samples, `nodejs_eventloop_delay_${name}_seconds`)).toBeGreaterThanOrEqual(0);
    }
    // The monitor's timer interval includes its 10 ms resolution.
    expect(valueOf(samples, 'nodejs_eventloop_delay_max_seconds')).toBeGreaterThan(0.005);
    expect(valueOf(samples, 'nodejs_eventloop_utilization_ratio')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_eventloop_time_seconds_total', { nodejs_eventloop_state: 'active' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'process_cpu_time_seconds_total', { cpu_mode: 'user' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'process_cpu_time_seconds_total', { cpu_mode: 'system' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'process_cpu_utilization_ratio', { cpu_mode: 'user' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'process_memory_usage_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(valueOf(samples, 'process_uptime_seconds')).toBeGreaterThan(0);
    expect(valueOf(samples, 'v8js_memory_heap_used_bytes', { v8js_heap_space_name: 'old_space' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'v8js_memory_heap_space_physical_size_bytes', { v8js_heap_space_name: 'new_space' })).toBeGreaterThan(0);
  });

  it('reads the telemetry pipeline’s counters from its provider at every scrape', async () => {
    let stats: TelemetryPipelineStats = { emitted: 10, delivered: 7, spooled: 2, replayed: 0, dropped: {}, queueDepth: 1, spoolBytes: 512 };
    const metrics = metricsWith({ telemetry: () => stats });
    let samples = await scrape(metrics);
    expect(valueOf(samples, 'lookout_telemetry_events_emitted_total')).toBe(10);
    expect(valueOf(samples, 'lookout_telemetry_events_delivered_total')).toBe(7);
    expect(valueOf(samples, 'lookout_telemetry_events_spooled_total')).toBe(2);
    expect(valueOf(samples, 'lookout_telemetry_queue_depth')).toBe(1);
    expect(valueOf(samples, 'lookout_telemetry_spool_size_bytes')).toBe(512);

    stats = { emitted: 20, delivered: 16, spooled: 2, replayed: 2, dropped: { spool_full: 1, rejected: 1 }, queueDepth: 0, spoolBytes: 0, failures: { unreachable: 3 }, spoolEvents: 0, queueCapacity: 10_000 };
    samples = await scrape(metrics);
    expect(valueOf(samples, 'lookout_telemetry_events_emitted_total')).toBe(20);
    expect(valueOf(samples, 'lookout_telemetry_events_replayed_total')).toBe(2);
    expect(valueOf(samples, 'lookout_telemetry_events_dropped_total', { lookout_telemetry_drop_reason: 'spool_full' })).toBe(1);
    expect(valueOf(samples, 'lookout_telemetry_events_dropped_total', { lookout_telemetry_drop_reason: 'rejected' })).toBe(1);
    expect(valueOf(samples, 'lookout_telemetry_spool_size_bytes')).toBe(0);
    expect(valueOf(samples, 'lookout_telemetry_spool_events')).toBe(0);
    expect(valueOf(samples, 'lookout_telemetry_queue_capacity')).toBe(10_000);
    expect(valueOf(samples, 'lookout_telemetry_delivery_failures_total', { error_type: 'unreachable' })).toBe(3);
  });

  it('counts retries and failed tries per service and upstream member', async () => {
    const metrics = metricsWith();
    metrics.recordRetries('checkout', 1);
    metrics.recordRetries('checkout', 2);
    metrics.recordRetries('checkout', 0);
    metrics.recordUpstreamFailure('checkout', 'http://127.0.0.1:9001', 'upstream_connect_failure');
    metrics.recordUpstreamFailure('checkout', 'http://127.0.0.1:9001', 'upstream_connect_failure');
    metrics.recordUpstreamFailure('checkout', 'http://127.0.0.1:9002', 'upstream_reset');
    const samples = await scrape(metrics);
    expect(valueOf(samples, 'lookout_upstream_retries_total', { lookout_service: 'checkout' })).toBe(3);
    expect(valueOf(samples, 'lookout_upstream_failures_total', { server_port: '9001', error_type: 'upstream_connect_failure' })).toBe(2);
    expect(valueOf(samples, 'lookout_upstream_failures_total', { server_address: '127.0.0.1', server_port: '9002', error_type: 'upstream_reset' })).toBe(1);
  });

  describe('upstream pool statistics', () => {
    /** A real upstream that holds every response until released. */
    async function holdingUpstream(): Promise<{ url: string; held: ServerResponse[]; received: () => Promise<void>; server: Server }> {
      const held: ServerResponse[] = [];
      const waiters: (() => void)[] = [];
      const server = createServer((req, res) => {
        req.resume();
        held.push(res);
        for (const wake of waiters.splice(0)) wake();
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      cleanups.push(() => server.closeAllConnections());
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { url, held, server, received: () => new Promise<void>((resolve) => waiters.push(resolve)) };
    }

    it('reports connections, queued and running requests of a real undici pool talking to a real server', async () => {
      const upstream = await holdingUpstream();
      const pool = new Pool(upstream.url, { connections: 2, pipelining: 1 });
      cleanups.push(() => pool.destroy());
      const member = new Member({ url: upstream.url, weight: 1 }, pool);
      const metrics = metricsWith({ members: () => [{ service: 'checkout', member }] });

      const responses = Array.from({ length: 5 }, () => pool.request({ path: '/', method: 'GET' }).then((response) => response.body.dump()));
      member.active = 5;
      while (upstream.held.length < 2) await upstream.received();

      const port = new URL(upstream.url).port;
      const labels = { lookout_service: 'checkout', server_address: '127.0.0.1', server_port: port, url_scheme: 'http' };
      let samples = await scrape(metrics);
      expect(valueOf(samples, 'http_client_open_connections', { ...labels, http_connection_state: 'active' })).toBe(2);
      expect(valueOf(samples, 'http_client_open_connections', { ...labels, http_connection_state: 'idle' })).toBe(0);
      expect(valueOf(samples, 'lookout_upstream_requests', { ...labels, lookout_upstream_request_state: 'running' })).toBe(2);
      const waiting =
        valueOf(samples, 'lookout_upstream_requests', { ...labels, lookout_upstream_request_state: 'queued' }) +
        valueOf(samples, 'lookout_upstream_requests', { ...labels, lookout_upstream_request_state: 'pending' });
      expect(waiting).toBe(3);
      expect(valueOf(samples, 'http_client_active_requests', labels)).toBe(5);
      expect(valueOf(samples, 'lookout_upstream_member_healthy', labels)).toBe(1);
      expect(valueOf(samples, 'lookout_upstream_member_ejected', labels)).toBe(0);

      for (let served = 0; served < 5; ) {
        if (upstream.held.length === 0) await upstream.received();
        for (const res of upstream.held.splice(0)) {
          res.end('ok');
          served++;
        }
      }
      await Promise.all(responses);
      // undici marks a connection free a tick after its response completed.
      for (let i = 0; i < 100 && pool.stats.free < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      member.active = 0;
      member.healthy = false;
      member.ejectedUntil = Date.now() + 60_000;

      samples = await scrape(metrics);
      expect(valueOf(samples, 'http_client_open_connections', { ...labels, http_connection_state: 'active' })).toBe(0);
      expect(valueOf(samples, 'http_client_open_connections', { ...labels, http_connection_state: 'idle' })).toBe(2);
      expect(valueOf(samples, 'lookout_upstream_requests', { ...labels, lookout_upstream_request_state: 'running' })).toBe(0);
      expect(valueOf(samples, 'lookout_upstream_member_healthy', labels)).toBe(0);
      expect(valueOf(samples, 'lookout_upstream_member_ejected', labels)).toBe(1);
    });

    it('follows the members provider, so members a reload removed disappear from the next scrape', async () => {
      const a = new Member({ url: 'http://127.0.0.1:9101', weight: 1 }, new Pool('http://127.0.0.1:9101'));
      const b = new Member({ url: 'http://127.0.0.1:9102', weight: 1 }, new Pool('http://127.0.0.1:9102'));
      cleanups.push(() => Promise.all([a.pool.close(), b.pool.close()]));
      let members: ServiceMember[] = [
        { service: 'checkout', member: a },
        { service: 'checkout', member: b },
      ];
      const metrics = metricsWith({ members: () => members });
      let samples = await scrape(metrics);
      expect(find(samples, 'lookout_upstream_member_healthy').map((sample) => sample.labels.server_port)).toEqual(['9101', '9102']);

      members = [{ service: 'search', member: b }];
      samples = await scrape(metrics);
      expect(find(samples, 'lookout_upstream_member_healthy').map((sample) => [sample.labels.lookout_service, sample.labels.server_port])).toEqual([['search', '9102']]);
      expect(find(samples, 'http_client_open_connections', { server_port: '9101' })).toEqual([]);
    });
  });

  it('labels blue/green members with their colour and reports which colour is active', async () => {
    const blue = new Member({ url: 'http://127.0.0.1:9111', weight: 1 }, new Pool('http://127.0.0.1:9111'));
    const green = new Member({ url: 'http://127.0.0.1:9112', weight: 1 }, new Pool('http://127.0.0.1:9112'));
    cleanups.push(() => Promise.all([blue.pool.close(), green.pool.close()]));
    let active = 'blue';
    const metrics = metricsWith({
      members: () => [
        { service: 'shop', member: blue, color: 'blue', active: active === 'blue' },
        { service: 'shop', member: green, color: 'green', active: active === 'green' },
      ],
    });
    let samples = await scrape(metrics);
    expect(find(samples, 'lookout_upstream_member_healthy').map((sample) => [sample.labels.server_port, sample.labels.lookout_upstream_color])).toEqual([
      ['9111', 'blue'],
      ['9112', 'green'],
    ]);
    expect(valueOf(samples, 'lookout_upstream_pool_active', { lookout_service: 'shop', lookout_upstream_color: 'blue' })).toBe(1);
    expect(valueOf(samples, 'lookout_upstream_pool_active', { lookout_service: 'shop', lookout_upstream_color: 'green' })).toBe(0);
    active = 'green';
    samples = await scrape(metrics);
    expect(valueOf(samples, 'lookout_upstream_pool_active', { lookout_service: 'shop', lookout_upstream_color: 'blue' })).toBe(0);
    expect(valueOf(samples, 'lookout_upstream_pool_active', { lookout_service: 'shop', lookout_upstream_color: 'green' })).toBe(1);
  });

  it('logs a provider that throws and still serves every other metric', async () => {
    const lines: string[] = [];
    const log = new (class extends Logger {
      override write(_level: number, fields: Record<string, unknown> | string, msg?: string): void {
        lines.push(typeof fields === 'string' ? fields : (msg ?? ''));
      }
    })();
    const metrics = metricsWith({
      log,
      telemetry: () => {
        throw new Error('pipeline not ready');
      },
    });
    metrics.recordRequest('checkout', 'GET', 200, 0.01, '', false);
    const samples = await scrape(metrics);
    expect(valueOf(samples, 'http_server_request_duration_seconds_count')).toBe(1);
    expect(find(samples, 'lookout_telemetry_events_emitted_total')).toEqual([]);
    expect(lines).toContain('metric collection reported errors');
  });
});
