/**
 * One evaluation of 50 budget SLOs (30-day windows and their burn-rate windows) on the
 * embedded store, at 10 million events and at 1 million: the rollups make the cost depend on
 * the minutes in the windows, not on the events.
 *
 *   node slo-engine/bench/evaluate-50-slos.ts [--events 10000000] [--compare 1000000]
 *        [--runs 7] [--limit-ms 2000] [--dir /tmp/lookout-bench] [--keep] [--elasticsearch URL --es-events 200000]
 *
 * Per event count: writes the events (spread over 30 days, the proxy's embedded layout and
 * insert, one transaction per 250 000 rows), builds the rollups of the 50 SLOs (first
 * evaluation), then times full evaluations (countBudgetWindows for every SLO, `now` advancing
 * 30 s per run as the engine's tick does, so each run also rolls up the newly settled minute).
 * Exits 1 when the median at `--events` exceeds `--limit-ms`.
 *
 * With `--elasticsearch URL`, the same on Elasticsearch (`--es-events`, default 200 000) in a
 * scratch index that is deleted afterwards.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { TERMINATIONS, bootstrapIndexBody, eventOutcome, portableTemplate, type TerminationCode } from '@lookout/telemetry';
import { EMBEDDED_INSERT_SQL, migrateEmbeddedSchema } from '../../proxy/src/telemetry/embedded-sink.ts';
import { budgetSlisInUse, countBudgetWindows } from '../src/engine/budget-windows.ts';
import { ElasticsearchEventSource } from '../src/events/elasticsearch-event-source.ts';
import type { EventSource } from '../src/events/event-source.ts';
import { SqliteEventSource } from '../src/events/sqlite-event-source.ts';
import type { BudgetSlo } from '../src/model/slo.ts';
import { ElasticsearchRollupStore } from '../src/rollups/elasticsearch-rollup-store.ts';
import type { RollupStore } from '../src/rollups/rollup-store.ts';
import { SqliteRollupStore } from '../src/rollups/sqlite-rollup-store.ts';
import { WindowCounter } from '../src/rollups/window-counter.ts';
import { seededRandom } from '../test/seeded-random.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WINDOW = 30 * DAY;
/** The evaluation instant of the first run; the events end just before it. */
const NOW = Date.UTC(2026, 0, 31, 12, 0, 0) + 12_345;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    compare: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '7' },
    'limit-ms': { type: 'string', default: '2000' },
    dir: { type: 'string', default: join(tmpdir(), 'lookout-bench') },
    keep: { type: 'boolean', default: false },
    elasticsearch: { type: 'string' },
    'es-events': { type: 'string', default: '200000' },
  },
});

const SERVICES = Array.from({ length: 10 }, (_, i) => `service-${i}`);
const HOSTS = ['shop.example.com', 'api.example.com', 'admin.example.com', 'static.example.com', 'partner.example.com'];
const PATHS = ['/api/v1/orders', '/api/v1/orders/42', '/api/v1/users', '/api/v2/search', '/checkout', '/static/app.js', '/health/deep', '/'];
const ODD_THRESHOLDS_MS = [137, 263.5, 91.7, 412.25, 57.3, 999.9, 188.8, 333.3, 73.15, 1_234.5];


/** One synthetic event's SLI fields. */
interface Row {
  id: string;
  ts: number;
  service: string | null;
  status: number;
  outcome: string;
  durationNs: number;
  termination: TerminationCode;
  probe: number;
  domain: string;
  path: string;
}

const FAILURES: TerminationCode[] = ['upstream_reset', 'upstream_connect_failure', 'upstream_headers_timeout', 'client_abort', 'overflow', 'no_route'];

/** Calls `sink` for `count` events in timestamp order over the 30 days before NOW (ids sequential, as UUIDv7 are). */
function generate(count: number, sink: (row: Row) => void): void {
  const random = seededRandom(12_345);
  const start = NOW - WINDOW - MINUTE;
  const step = (WINDOW - MINUTE) / count;
  const row: Row = { id: '', ts: 0, service: null, status: 200, outcome: 'success', durationNs: 0, termination: 'ok', probe: 0, domain: '', path: '' };
  for (let i = 0; i < count; i++) {
    row.id = `0190${i.toString(16).padStart(12, '0')}-7000-8000-000000000000`;
    row.ts = Math.floor(start + i * step + random() * step);
    const r = random();
    row.termination = r < 0.97 ? 'ok' : FAILURES[Math.floor(random() * FAILURES.length)]!;
    row.status = row.termination === 'ok' ? (random() < 0.004 ? 503 : random() < 0.02 ? 404 : 200) : (TERMINATIONS[row.termination].status ?? 502);
    row.outcome = eventOutcome(row.termination, row.status);
    row.service = row.termination === 'no_route' ? null : SERVICES[Math.floor(random() * SERVICES.length)]!;
    row.domain = HOSTS[Math.floor(random() * HOSTS.length)]!;
    row.path = PATHS[Math.floor(random() * PATHS.length)]!;
    row.probe = random() < 0.02 ? 1 : 0;
    row.durationNs = Math.floor(Math.exp(random() * Math.log(2e9)) + 1e5);
    sink(row);
  }
}

/** 50 budget SLOs over 30 days: availability and latency at odd thresholds, by service, host, path prefix. */
function fiftySlos(): BudgetSlo[] {
  const slos: BudgetSlo[] = [];
  for (let i = 0; i < 50; i++) {
    const filter =
      i < 20
        ? { service: SERVICES[i % SERVICES.length]! }
        : i < 30
          ? { host: HOSTS[i % HOSTS.length]! }
          : i < 40
            ? { service: SERVICES[i % SERVICES.length]!, pathPrefix: '/api/v1' }
            : { host: HOSTS[i % HOSTS.length]!, service: SERVICES[(i * 3) % SERVICES.length]! };
    slos.push({
      kind: 'budget',
      name: `slo-${i}`,
      filter,
      indicator: i % 2 === 0 ? { type: 'availability' } : { type: 'latency', thresholdMs: ODD_THRESHOLDS_MS[i % ODD_THRESHOLDS_MS.length]! },
      objective: i % 2 === 0 ? 0.999 : 0.95,
      windowMs: WINDOW,
      states: { green: 0.6, orange: 0.8, red: 1 },
      holdMs: 5 * MINUTE,
      owners: { sli: [], slo: [] },
      minTraffic: 10,
    });
  }
  return slos;
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Writes `count` events into a fresh embedded file with the proxy's schema and insert statement. */
function writeEmbedded(path: string, count: number): number {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = new DatabaseSync(path);
  // A bulk load: no journal while loading (halves the disk writes), then WAL as the proxy leaves the file.
  db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;');
  migrateEmbeddedSchema(db);
  const insert = db.prepare(EMBEDDED_INSERT_SQL);
  const chunk = 250_000;
  const started = performance.now();
  let written = 0;
  db.exec('BEGIN');
  generate(count, (row) => {
    // A compact `doc`: readers use the columns; a full event (~1.2 KB) would make the file ~13 GB at 10M.
    const doc = `{"@timestamp":${row.ts},"url":{"domain":"${row.domain}","path":"${row.path}"}}`;
    insert.run(row.id, row.ts, row.service, row.status, row.outcome, row.durationNs, row.termination, row.probe, row.domain, row.path, doc);
    written++;
    if (written % chunk === 0) {
      db.exec('COMMIT');
      const elapsed = performance.now() - started;
      log(`  wrote ${written.toLocaleString('en')} / ${count.toLocaleString('en')} events (${Math.round(written / (elapsed / 1000)).toLocaleString('en')}/s)`);
      db.exec('BEGIN');
    }
  });
  db.exec('COMMIT');
  db.exec('PRAGMA journal_mode = WAL');
  db.close();
  return performance.now() - started;
}

interface Measurement {
  readonly store: string;
  readonly events: number;
  readonly writeMs: number;
  readonly fileBytes: number | undefined;
  readonly buildMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly queriesPerRun: number;
}

/** Builds the rollups, then times `runs` full evaluations. */
async function measure(store: string, events: number, writeMs: number, fileBytes: number | undefined, source: EventSource, rollups: RollupStore, runs: number, extendEveryMs = 0): Promise<Measurement> {
  const slos = fiftySlos();
  const counter = new WindowCounter({ source, rollups, extendEveryMs });
  await counter.retain(budgetSlisInUse(slos), NOW);
  log(`  building the rollups of ${slos.length} SLOs (30 days each, from raw events)`);
  const buildStarted = performance.now();
  for (const [i, slo] of slos.entries()) {
    await countBudgetWindows(counter, slo, NOW);
    if (i % 10 === 9) log(`  built ${i + 1} / ${slos.length} (${seconds(performance.now() - buildStarted)})`);
  }
  const buildMs = performance.now() - buildStarted;
  const times: number[] = [];
  let queries = 0;
  for (let run = 1; run <= runs; run++) {
    const now = NOW + run * 30_000;
    const before = counter.stats.rawQueries + counter.stats.rollupQueries + counter.stats.buildCalls;
    const started = performance.now();
    let total = 0;
    for (const slo of slos) total += (await countBudgetWindows(counter, slo, now)).window.total;
    const elapsed = performance.now() - started;
    times.push(elapsed);
    queries = counter.stats.rawQueries + counter.stats.rollupQueries + counter.stats.buildCalls - before;
    log(`  evaluation ${run}/${runs}: ${Math.round(elapsed)} ms (${total.toLocaleString('en')} events in the 50 windows)`);
  }
  times.sort((a, b) => a - b);
  return { store, events, writeMs, fileBytes, buildMs, medianMs: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]!, queriesPerRun: queries };
}

async function embedded(count: number, runs: number): Promise<Measurement> {
  mkdirSync(args.dir, { recursive: true });
  const eventsPath = join(args.dir, `events-${count}.sqlite`);
  const statePath = join(args.dir, `state-${count}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(statePath + suffix, { force: true });
  log(`embedded store, ${count.toLocaleString('en')} events -> ${eventsPath}`);
  const writeMs = writeEmbedded(eventsPath, count);
  const fileBytes = statSync(eventsPath).size;
  log(`  written in ${seconds(writeMs)}, ${(fileBytes / 2 ** 20).toFixed(0)} MiB`);
  const source = new SqliteEventSource({ path: eventsPath });
  const rollups = new SqliteRollupStore({ path: statePath });
  try {
    return await measure('embedded', count, writeMs, fileBytes, source, rollups, runs);
  } finally {
    await source.close();
    await rollups.close();
    if (!args.keep) for (const path of [eventsPath, statePath]) for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
}

async function elasticsearch(url: string, count: number, runs: number): Promise<Measurement> {
  const name = `lookout-bench-${randomBytes(4).toString('hex')}`;
  const client = new Client({ node: url, requestTimeout: 120_000 });
  log(`elasticsearch ${url}, ${count.toLocaleString('en')} events -> ${name}`);
  try {
    await client.indices.putIndexTemplate({ name, ...portableTemplate({ indexPattern: `${name}-*`, refreshInterval: '-1' }) });
    await client.indices.create({ index: `${name}-000001`, ...bootstrapIndexBody(name) });
    const started = performance.now();
    const lines: object[] = [];
    generate(count, (row) => {
      const iso = new Date(row.ts).toISOString();
      lines.push({ create: { _index: name, _id: row.id } }, {
        '@timestamp': iso,
        event: { id: row.id, kind: 'event', category: ['web'], type: ['access'], outcome: row.outcome, duration: row.durationNs, start: iso, end: iso, dataset: 'lookout.request' },
        url: { original: row.path, path: row.path, scheme: 'http', domain: row.domain },
        http: { version: '1.1', request: { method: 'GET', id: row.id, body: { bytes: 0 } }, response: { status_code: row.status, body: { bytes: 512 } } },
        service: { name: 'lookout', version: '0.1.0', environment: 'bench', node: { name: 'bench' }, ...(row.service === null ? {} : { target: { name: row.service } }) },
        observer: { type: 'proxy', name: 'bench' },
        lookout: { timing: { queue_wait_ms: 0, client_last_byte_ms: row.durationNs / 1e6 }, connection_reused: true, retries: 0, termination: row.termination, probe: row.probe === 1 },
      });
    });
    const perRequest = 20_000;
    for (let i = 0; i < lines.length; i += perRequest) {
      const response = await client.bulk({ operations: lines.slice(i, i + perRequest) });
      if (response.errors) throw new Error(`bulk refused: ${JSON.stringify(response.items.find((item) => item.create?.error))}`);
      if ((i + perRequest) % (10 * perRequest) === 0) log(`  indexed ${((i + perRequest) / 2).toLocaleString('en')} / ${count.toLocaleString('en')}`);
    }
    await client.indices.refresh({ index: name });
    const writeMs = performance.now() - started;
    log(`  indexed in ${seconds(writeMs)}`);
    const source = new ElasticsearchEventSource({ node: url, index: name, client });
    const rollups = new ElasticsearchRollupStore({ node: url, index: `${name}-rollups`, client });
    // Rollup writes cost a refresh on Elasticsearch: extend them every 5 minutes, not every minute.
    return await measure('elasticsearch', count, writeMs, undefined, source, rollups, runs, 5 * MINUTE);
  } finally {
    await client.indices.delete({ index: `${name}-*`, ignore_unavailable: true }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
    await client.close();
  }
}

const runs = Number(args.runs);
const limitMs = Number(args['limit-ms']);
const mainCount = Number(args.events);
const results: Measurement[] = [await embedded(mainCount, runs)];
if (Number(args.compare) > 0) results.push(await embedded(Number(args.compare), runs));
if (args.elasticsearch !== undefined) results.push(await elasticsearch(args.elasticsearch, Number(args['es-events']), runs));

const table = [
  ['store', 'events', 'write', 'file', 'rollup build', 'evaluation median', 'max', 'queries (last run)'],
  ...results.map((r) => [
    r.store,
    r.events.toLocaleString('en'),
    seconds(r.writeMs),
    r.fileBytes === undefined ? '-' : `${(r.fileBytes / 2 ** 20).toFixed(0)} MiB`,
    seconds(r.buildMs),
    `${Math.round(r.medianMs)} ms`,
    `${Math.round(r.maxMs)} ms`,
    String(r.queriesPerRun),
  ]),
];
const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
process.stdout.write(`\n50 budget SLOs, 30-day windows + 7 burn-rate windows each, ${runs} evaluations per row\n`);
for (const row of table) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
const main = results[0]!;
const compared = results.find((r, i) => i > 0 && r.store === 'embedded');
if (compared !== undefined) process.stdout.write(`\nmedian at ${main.events.toLocaleString('en')} / median at ${compared.events.toLocaleString('en')}: ${(main.medianMs / compared.medianMs).toFixed(2)}x for ${(main.events / compared.events).toFixed(0)}x the events\n`);
if (main.medianMs > limitMs) {
  process.stdout.write(`FAIL: median ${Math.round(main.medianMs)} ms at ${main.events.toLocaleString('en')} events exceeds ${limitMs} ms\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`OK: median ${Math.round(main.medianMs)} ms at ${main.events.toLocaleString('en')} events is within ${limitMs} ms\n`);
}
