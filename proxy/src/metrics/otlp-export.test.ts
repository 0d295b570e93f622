import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger } from '../log.ts';
import { ProxyMetrics } from './proxy-metrics.ts';
import { find, parseSamples, valueOf } from './test-support/prometheus-samples.ts';
import { decodeMessage, double, fixed64, messages, packedDouble, packedFixed64, string, varint, type Fields } from './test-support/protobuf-wire.ts';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Status of the next answers. */
  status: number;
  next(): Promise<Received>;
}

/** A real OTLP/HTTP receiver on loopback that records every request. */
async function receiver(status = 200): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: ((request: Received) => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      const json = String(req.headers['content-type']).includes('json');
      res.writeHead(self.status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
      waiters.shift()?.(request);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  cleanups.push(() => server.closeAllConnections());
  const self: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    status,
    next: () => new Promise<Received>((resolve) => waiters.push(resolve)),
  };
  return self;
}

function metricsWith(log = new Logger({}, 'fatal')): ProxyMetrics {
  const metrics = new ProxyMetrics({ log, runtime: true });
  cleanups.push(() => metrics.shutdown());
  return metrics;
}

interface DecodedMetric {
  readonly scope: string;
  readonly name: string;
  readonly unit: string;
  readonly fields: Fields;
}

function keyValues(list: Fields[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const value = messages(kv, 2)[0];
    if (value === undefined) continue;
    if (value.has(1)) out[string(kv, 1)] = string(value, 1);
    else if (value.has(2)) out[string(kv, 1)] = varint(value, 2) === 1;
    else if (value.has(3)) out[string(kv, 1)] = varint(value, 3);
    else out[string(kv, 1)] = double(value, 4);
  }
  return out;
}

/** ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) -> resource and metrics. */
function decodeOtlp(body: Buffer): { resource: Record<string, unknown>; metrics: DecodedMetric[] } {
  const request = decodeMessage(body);
  const [resourceMetrics] = messages(request, 1);
  if (resourceMetrics === undefined) throw new Error('no ResourceMetrics');
  const resource = keyValues(messages(messages(resourceMetrics, 1)[0] ?? new Map(), 1));
  const metrics: DecodedMetric[] = [];
  for (const scopeMetrics of messages(resourceMetrics, 2)) {
    const scope = string(messages(scopeMetrics, 1)[0] ?? new Map(), 1);
    for (const metric of messages(scopeMetrics, 2)) metrics.push({ scope, name: string(metric, 1), unit: string(metric, 3), fields: metric });
  }
  return { resource, metrics };
}

describe('OTLP export', () => {
  it('posts protobuf to /v1/metrics on a real receiver, which decodes to the recorded histogram', async () => {
    const otlp = await receiver();
    const metrics = metricsWith();
    for (const seconds of [0.001, 0.004, 0.02, 0.3]) metrics.recordRequest('checkout', 'GET', 200, seconds, '', false);
    await metrics.startOtlpExport({ url: `${otlp.url}/v1/metrics`, intervalMs: 60_000, headers: { authorization: 'Bearer test-token' } });

    expect(await metrics.exportOtlpNow()).toBe(true);
    const [request] = otlp.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/metrics');
    expect(request?.headers['content-type']).toBe('application/x-protobuf');
    expect(request?.headers.authorization).toBe('Bearer test-token');

    const { resource, metrics: exported } = decodeOtlp(request!.body);
    expect(resource['service.name']).toBe('lookout-proxy');
    const names = exported.map((metric) => metric.name);
    expect(names).toEqual(expect.arrayContaining(['http.server.request.duration', 'http.server.active_requests', 'nodejs.eventloop.utilization', 'process.cpu.time', 'process.memory.usage']));
    // One scope: the SDK's instruments and the producer's metrics are merged.
    expect(new Set(exported.map((metric) => metric.scope))).toEqual(new Set(['lookout-proxy']));

    const duration = exported.find((metric) => metric.name === 'http.server.request.duration')!;
    expect(duration.unit).toBe('s');
    const histogram = messages(duration.fields, 9)[0]!;
    expect(varint(histogram, 2)).toBe(2); // AGGREGATION_TEMPORALITY_CUMULATIVE
    const [point] = messages(histogram, 1);
    expect(keyValues(messages(point!, 9))).toEqual({ 'http.request.method': 'GET', 'url.scheme': 'http', 'http.response.status_code': 200, 'lookout.service': 'checkout' });
    expect(fixed64(point!, 4)).toBe(4);
    expect(double(point!, 5)).toBeCloseTo(0.325, 9);
    expect(packedDouble(point!, 7)).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    expect(packedFixed64(point!, 6)).toEqual([2, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(double(point!, 11)).toBe(0.001);
    expect(double(point!, 12)).toBe(0.3);
  });

  it('exports on its interval and flushes what was recorded since when stopped', async () => {
    const otlp = await receiver();
    const metrics = metricsWith();
    metrics.recordRequest('checkout', 'GET', 200, 0.01, '', false);
    await metrics.startOtlpExport({ url: `${otlp.url}/v1/metrics`, intervalMs: 100 });
    await otlp.next();

    metrics.recordRequest('checkout', 'GET', 200, 0.01, '', false);
    const before = otlp.requests.length;
    await metrics.stopOtlpExport();
    expect(otlp.requests.length).toBe(before + 1);
    const last = decodeOtlp(otlp.requests.at(-1)!.body).metrics.find((metric) => metric.name === 'http.server.request.duration')!;
    expect(fixed64(messages(messages(last.fields, 9)[0]!, 1)[0]!, 4)).toBe(2);

    // Stopped: no more requests on the interval.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(otlp.requests.length).toBe(before + 1);
  });

  it('posts OTLP JSON when the protocol is http/json', async () => {
    const otlp = await receiver();
    const metrics = metricsWith();
    metrics.recordRequest('search', 'POST', 201, 0.06, '', false);
    await metrics.startOtlpExport({ url: `${otlp.url}/v1/metrics`, intervalMs: 60_000, protocol: 'http/json' });
    expect(await metrics.exportOtlpNow()).toBe(true);

    const [request] = otlp.requests;
    expect(request?.path).toBe('/v1/metrics');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body.toString('utf8')) as {
      resourceMetrics: { scopeMetrics: { metrics: { name: string; histogram?: { dataPoints: { count: number | string; bucketCounts: (number | string)[] }[] } }[] }[] }[];
    };
    const duration = body.resourceMetrics[0]!.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.name === 'http.server.request.duration');
    const point = duration?.histogram?.dataPoints[0];
    expect(Number(point?.count)).toBe(1);
    expect(point?.bucketCounts.map(Number)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('counts failed exports, logs the first failure once and logs the recovery', async () => {
    const lines: { level: number; msg: string }[] = [];
    const log = new (class extends Logger {
      override write(level: number, fields: Record<string, unknown> | string, msg?: string): void {
        lines.push({ level, msg: typeof fields === 'string' ? fields : (msg ?? '') });
      }
    })();
    const otlp = await receiver(400);
    const metrics = metricsWith(log);
    await metrics.startOtlpExport({ url: `${otlp.url}/v1/metrics`, intervalMs: 60_000, timeoutMs: 2_000 });
    expect(await metrics.exportOtlpNow()).toBe(false);
    expect(await metrics.exportOtlpNow()).toBe(false);
    expect(valueOf(parseSamples(await metrics.scrape()), 'lookout_metrics_otlp_export_failures_total')).toBe(2);
    expect(lines.filter((line) => line.msg.startsWith('OTLP metric export failed'))).toHaveLength(1);

    otlp.status = 200;
    expect(await metrics.exportOtlpNow()).toBe(true);
    expect(lines.filter((line) => line.msg === 'OTLP metric export recovered')).toHaveLength(1);
    expect(find(parseSamples(await metrics.scrape()), 'lookout_metrics_otlp_export_failures_total')[0]?.value).toBe(2);
  });
});
