// Measures the resident memory the telemetry pipeline adds to a proxy-like process.
//
//   MALLOC_ARENA_MAX=2 node --max-semi-space-size=1 --single-threaded-gc \
//     proxy/test/telemetry/pipeline-rss.ts <none|elasticsearch|embedded> [node] [seconds] [rate]
//
// Loads what the proxy loads anyway (node:http, undici's Pool), builds one event per "request"
// at `rate` per second (default 1100) and emits it; prints RSS (MiB) at start, then the max and
// the last sample. Compare a sink against `none` for the pipeline's own cost.
import 'node:http';
import { rmSync } from 'node:fs';
import { Logger } from '../../src/log.ts';
import { Pool } from '../../src/undici-parts.ts';
import { createTelemetryPipeline } from '../../src/telemetry/create-telemetry-pipeline.ts';
import { telemetryConfigSchema } from '../../src/telemetry/telemetry-config.ts';
import { eventFactory, testIndex } from './test-events.ts';

const [sink = 'none', node = 'http://127.0.0.1:9250', seconds = '30', rate = '1100'] = process.argv.slice(2);
// The proxy has talked to its upstreams through undici already (llhttp's WASM instantiated).
const warm = new Pool(node);
// (Measured: RSS steps up ~15 MiB around an undici Pool's 4th request, pipeline or not.)
for (let i = 0; i < 20; i++) await warm.request({ method: 'GET', path: '/_cluster/health' }).then((r) => r.body.text(), () => undefined);
await warm.close();
const dir = `/tmp/lookout-rss-${process.pid}`;
const pipeline = createTelemetryPipeline(
  telemetryConfigSchema.parse({
    sink,
    elasticsearch: { node, index: testIndex(), connectTimeout: '1s' },
    embedded: { path: `${dir}/telemetry.sqlite` },
    spool: { directory: `${dir}/spool` },
  }),
  new Logger({}, 'warn'),
  {},
);
globalThis.gc?.();
const mib = (): number => Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
const beforeStart = mib();
await pipeline.start();
if (process.env.RSS_DETAIL) setInterval(() => { const m = process.memoryUsage(); console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 104857.6) / 10])))); }, 2000).unref();
const events = eventFactory();
const start = mib();
let max = start;
let n = 0;
const started = Date.now();
const until = started + Number(seconds) * 1000;
const timer = setInterval(() => {
  const due = Math.floor(((Date.now() - started) * Number(rate)) / 1000);
  while (n < due) pipeline.emit(events.event(n++));
  if (n % 1100 < 12) max = Math.max(max, mib());
}, 10);
await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
clearInterval(timer);
const last = mib();
await pipeline.close();
const { delivered, spooled } = pipeline.counters;
console.log(JSON.stringify({ sink, beforeStartMiB: beforeStart, startMiB: start, maxMiB: Math.max(max, last), lastMiB: last, emitted: n, delivered, spooled }));
rmSync(dir, { recursive: true, force: true });
