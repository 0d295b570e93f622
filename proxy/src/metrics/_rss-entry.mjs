// src/metrics/_rss-entry.ts
import { createRequire } from "node:module";
var require2 = createRequire(import.meta.url);
var mode = process.argv[2] ?? "full";
await import("node:http");
await import("zod");
await import("hono");
await import("@hono/node-server");
await import("yaml");
require2("undici/lib/dispatcher/pool.js");
require2("undici/lib/core/connect.js");
require2("undici/lib/api/api-request.js");
var settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
};
var mem = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapTotal, ext: m.external + m.arrayBuffers };
};
var fmt = (a, b) => Object.entries(a).map(([k, v]) => `${k} +${((v - b[k]) / 1048576).toFixed(1)}`).join(" ");
await settle();
var base = mem();
var spec = "./_rss-metrics.mjs";
var { ProxyMetrics, Logger } = await import(spec);
await settle();
var afterImport = mem();
var metrics = new ProxyMetrics({ log: new Logger({}, "fatal"), telemetry: () => ({ emitted: 1, delivered: 1, spooled: 0, replayed: 0, dropped: { queue_full: 0 }, queueDepth: 0, spoolBytes: 0 }) });
await metrics.scrape();
await settle();
var afterCreate = mem();
if (mode.includes("rec")) {
  const services = Array.from({ length: 5 }, (_, i) => `svc-${i}`);
  const statuses = [200, 201, 204, 301, 304, 400, 404, 500, 502, 503];
  for (let i = 0; i < 5e5; i++) metrics.recordRequest(services[i % 5], i % 3 ? "GET" : "POST", statuses[i % 10], i % 1e3 / 2e3, i % 50 === 0 ? "upstream_reset" : "", false);
}
if (mode.includes("scrape")) for (let i = 0; i < 20; i++) await metrics.scrape();
if (mode.includes("otlp")) {
  await metrics.startOtlpExport({ url: "http://127.0.0.1:1/v1/metrics", intervalMs: 1e9, timeoutMs: 200 });
  await metrics.exportOtlpNow();
  await metrics.exportOtlpNow();
}
await settle();
var end = mem();
console.log(mode.padEnd(16), "import:", fmt(afterImport, base), "| create:", fmt(afterCreate, afterImport), "| work:", fmt(end, afterCreate), "| total rss +", ((end.rss - base.rss) / 1048576).toFixed(1));
await metrics.shutdown();
