import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const mode = process.argv[2] ?? 'full';
await import('node:http'); await import('zod'); await import('hono'); await import('@hono/node-server'); await import('yaml');
require('undici/lib/dispatcher/pool.js'); require('undici/lib/core/connect.js'); require('undici/lib/api/api-request.js');
const settle = async () => { for (let i = 0; i < 3; i++) { (globalThis as any).gc(); await new Promise((r) => setTimeout(r, 50)); } };
const mem = () => { const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapTotal, ext: m.external + m.arrayBuffers }; };
const fmt = (a: any, b: any) => Object.entries(a).map(([k, v]) => `${k} +${(((v as number) - b[k]) / 1048576).toFixed(1)}`).join(' ');
await settle();
const base = mem();
const spec = './_rss-metrics.mjs';
const { ProxyMetrics, Logger } = await import(spec);
await settle();
const afterImport = mem();
const metrics = new ProxyMetrics({ log: new Logger({}, 'fatal'), telemetry: () => ({ emitted: 1, delivered: 1, spooled: 0, replayed: 0, dropped: { queue_full: 0 }, queueDepth: 0, spoolBytes: 0 }) });
await metrics.scrape();
await settle();
const afterCreate = mem();
if (mode.includes('rec')) {
  const services = Array.from({ length: 5 }, (_, i) => `svc-${i}`);
  const statuses = [200, 201, 204, 301, 304, 400, 404, 500, 502, 503];
  for (let i = 0; i < 500_000; i++) metrics.recordRequest(services[i % 5]!, i % 3 ? 'GET' : 'POST', statuses[i % 10]!, (i % 1000) / 2000, i % 50 === 0 ? 'upstream_reset' : '', false);
}
if (mode.includes('scrape')) for (let i = 0; i < 20; i++) await metrics.scrape();
if (mode.includes('otlp')) { await metrics.startOtlpExport({ url: 'http://127.0.0.1:1/v1/metrics', intervalMs: 1e9, timeoutMs: 200 }); await metrics.exportOtlpNow(); await metrics.exportOtlpNow(); }
await settle();
const end = mem();
console.log(mode.padEnd(16), 'import:', fmt(afterImport, base), '| create:', fmt(afterCreate, afterImport), '| work:', fmt(end, afterCreate), '| total rss +', ((end.rss - base.rss) / 1048576).toFixed(1));
await metrics.shutdown();
