#!/usr/bin/env node
// Benchmark of lookout against its peers, all measured in one run with one load generator.
// Usage: npm run bench [-- --duration 15 --only lookout,haproxy]; see bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE, type Options } from './options.ts';
import { isShuttingDown, killAllSync, outputTail, stop, stopAll, type Managed } from './processes.ts';
import { portOpen } from './probe.ts';
import { runRate, rateToolDescription, type RateResult, type RateSettings } from './rate.ts';
import { markdownReport, textReport, type Report, type Run } from './report.ts';
import { cpuSeconds, measureTreeCpu } from './cpu.ts';
import { mib, sampleRss, type RssReport } from './rss.ts';
import { ensureTools, machine, versions } from './system.ts';
import {
  BENCH_ES_INDEX,
  deleteBenchIndices,
  BENCH_ES_PORT,
  ES_LIFECYCLE_SEC,
  startElasticsearch,
  stopElasticsearch,
  stopElasticsearchSync,
  useRunningElasticsearch,
  waitForIdle,
  type Elasticsearch,
} from './elasticsearch.ts';
import { deliveryComplete, deliverySummary, settleAndCount } from './telemetry-check.ts';
import { buildTargets, startUpstream, upstreamConfig, UPSTREAM_BODY, verifyProxying, type Context, type Target } from './targets.ts';
import { runWrk, wrkArgs, wrkErrors, type WrkResult, type WrkSettings } from './wrk.ts';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const REPO_ROOT = dirname(BENCH_DIR);
/** Upper bound for a target to start and answer. */
const START_TIMEOUT_MS = 30_000;
/** Time allowed per target and phase on top of warm-up and measurement (start, verify, stop). */
const PER_RUN_OVERHEAD_SEC = START_TIMEOUT_MS / 1000 + 25;
/** Longest wait for Elasticsearch to go idle before a target starts. */
const ES_IDLE_WAIT_SEC = 30;
/** Extra time of a lookout-telemetry run: index deletion, pipeline drain (up to 60 s) and count. */
const TELEMETRY_RUN_OVERHEAD_SEC = 75;

const started = Date.now();
const loadAtStart = os.loadavg();
function log(line: string): void {
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`[bench +${seconds}s] ${line}\n`);
}

/** Quotes an argument for a POSIX shell when it needs it, so the printed command can be pasted. */
const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

let tmpDir: string | undefined;
let cleaningUp = false;

async function cleanup(): Promise<void> {
  if (cleaningUp) return;
  cleaningUp = true;
  await stopAll();
  await stopElasticsearch(log);
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
}

async function abort(reason: string, code: number): Promise<never> {
  log(`${reason}: stopping every process the bench started`);
  await cleanup();
  process.exit(code);
}

/** Once abort() runs, the main flow waits here for its process.exit instead of going on. */
async function haltIfAborting(): Promise<void> {
  if (isShuttingDown()) await new Promise<never>(() => {});
}

process.on('exit', () => {
  killAllSync();
  stopElasticsearchSync();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => void abort(`received ${signal}`, 130));
}

/** Starts a target, checks that it proxies, and runs `measure` with RSS sampling around it. */
async function withTarget<T>(
  ctx: Context,
  upstream: Managed,
  target: Target,
  measure: (port: number) => Promise<T>,
  warmUp: (port: number) => Promise<unknown>,
  warmupSec: number,
  hooks: {
    /** Before the target starts; throwing fails the target. */
    before?: () => Promise<void>;
    /** After a successful measurement, while the target still runs. */
    after?: (run: Run<T>) => Promise<void>;
  } = {},
): Promise<Run<T>> {
  const run: Run<T> = { id: target.id, label: target.label };
  const port = ctx.ports[target.id];
  let managed: Managed | undefined;
  try {
    await hooks.before?.();
    if (target.id !== 'direct') {
      if (await portOpen(port)) throw new Error(`port ${port} is already in use by another program`);
      log(`${target.label}: starting`);
      managed = target.start();
      await target.ready(managed);
    }
    await verifyProxying(ctx, target);
    if (warmupSec > 0) {
      log(`${target.label}: warm-up ${warmupSec} s`);
      await warmUp(port);
    }
    log(`${target.label}: measuring`);
    const sampler = sampleRss(managed?.pid ?? upstream.pid);
    const cpu = measureTreeCpu(managed?.pid ?? upstream.pid);
    let rss: RssReport;
    let result: T;
    try {
      result = await measure(port);
    } finally {
      rss = sampler.stop();
      run.cpuCores = cpu.stop();
    }
    run.rss = rss;
    if (managed?.exitedAlready()) throw new Error(`${target.label} exited during the measurement`);
    run.result = result;
    await hooks.after?.(run);
  } catch (error) {
    run.error = message(error);
    if (managed) run.tail = outputTail(managed);
    if (!isShuttingDown()) log(`${target.label}: FAILED: ${run.error}`);
  } finally {
    if (managed) await stop(managed);
  }
  return run;
}

function settingsTable(options: Options, wrk: WrkSettings, rate: RateSettings, ctx: Context, es: Elasticsearch | undefined): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['load generator (max throughput)', `wrk ${wrkArgs(ctx.ports.lookout, wrk).map(shellQuote).join(' ')} (port differs per target)`],
    ['warm-up', `${options.warmupSec} s per target, same wrk settings, result discarded`],
    ['measured duration', `${options.durationSec} s per target`],
    ['connections / threads', `${options.connections} / ${options.threads}`],
    ['Host header', options.host],
    ['lookout entry point', relative(ctx.repoRoot, ctx.lookoutMain)],
    ['upstream', `nginx, worker_processes 1, returns 200 with ${Buffer.byteLength(UPSTREAM_BODY)} bytes of JSON, keep-alive`],
    ['ports', Object.entries(ctx.ports).map(([id, port]) => `${id} ${port}`).join(', ')],
    ['RSS sampling', 'VmRSS summed over the process tree every 200 ms during the measured phase; VmHWM summed at its end'],
  ];
  if (options.only.includes('lookout-telemetry')) {
    rows.push([
      'Elasticsearch (lookout-telemetry)',
      es
        ? `${es.url}, ${es.startedByBench ? `started by the bench (scripts/elasticsearch.sh, heap ${process.env.ES_HEAP ?? '512m'}), running for the whole run on the same 2 cores` : 'already running (--es-url)'}; alias ${BENCH_ES_INDEX}, its indices deleted before each phase of the target, counted after it`
        : `not available: ${ctx.esError ?? 'unknown'}`,
    ]);
  }
  if (options.rateDurationSec > 0 && options.rateTargets.length > 0) {
    rows.push(
      ['load generator (fixed rate)', rateToolDescription(rate)],
      ['fixed rate phase', `${options.rateDurationSec} s per target after ${options.warmupSec} s warm-up at the same rate, each target freshly started`],
    );
  }
  return rows;
}

const ES_FAIRNESS =
  `lookout + ES telemetry is the one target that records every request: one event each, sent in bulk to Elasticsearch. Elasticsearch shares the same ${os.availableParallelism()} cores with wrk, the upstream and the proxy: it is not pinned either, and its CPU is part of what telemetry costs. It runs for the whole run but is paused (SIGSTOP) during every other target; before each target the bench waits until it uses < 5% of a core, so its merges and refreshes do not spill into the next target.`;

const FAIRNESS = [
  'Every proxy runs one event-loop thread or worker: lookout `workers: 1`, one Node process for each Node peer, haproxy `nbthread 1`, nginx `worker_processes 1`. Node processes also have V8/libuv helper threads (GC, thread pool); their request path is single-threaded.',
  'No CPU pinning: wrk (1 thread), the upstream nginx (1 worker) and the proxy share the 2 cores as they would on a small host.',
  'The upstream is nginx returning a fixed string so that it costs little CPU and leaves the second core to the proxy; a Node upstream would take a large share of it and cap every proxy.',
  'Each target is started fresh for each phase, gets the same warm-up, and is stopped before the next one starts. Logging is off everywhere (lookout `telemetry.sink: none`).',
  'Node programs run with default heap settings and NODE_ENV=production.',
  'Keep-alive on both sides for every proxy; nginx keepalive_requests raised so that nobody closes client connections mid-run.',
];

async function main(): Promise<void> {
  let options: Options;
  try {
    const parsed = parseOptions(process.argv.slice(2), process.env);
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`${message(error)}\n\n${USAGE}`);
    process.exit(2);
  }

  const rateTargets = options.rateDurationSec > 0 ? options.rateTargets : [];
  const withEs = options.only.includes('lookout-telemetry');
  const telemetryRuns = (withEs ? 1 : 0) + (rateTargets.includes('lookout-telemetry') ? 1 : 0);
  const runs = options.only.length * (options.warmupSec + options.durationSec + PER_RUN_OVERHEAD_SEC) +
    rateTargets.length * (options.warmupSec + options.rateDurationSec + PER_RUN_OVERHEAD_SEC);
  const esSec = withEs
    ? (options.esUrl ? 0 : ES_LIFECYCLE_SEC) + (options.only.length + rateTargets.length) * ES_IDLE_WAIT_SEC + telemetryRuns * TELEMETRY_RUN_OVERHEAD_SEC
    : 0;
  const limitSec = runs + esSec + 60;
  const typicalSec = options.only.length * (options.warmupSec + options.durationSec + 2) +
    rateTargets.length * (options.warmupSec + options.rateDurationSec + 2) +
    (withEs ? (options.esUrl ? 0 : 45) + telemetryRuns * 5 : 0);
  log(`targets: ${options.only.join(', ')}; fixed-rate phase: ${rateTargets.join(', ') || 'skipped'}`);
  log(`about ${Math.ceil(typicalSec / 60)} min expected; hard limit ${Math.ceil(limitSec / 60)} min (installs not counted)`);
  log('fairness: one thread/process per proxy (lookout workers: 1, haproxy nbthread 1, nginx worker_processes 1, one Node process per Node peer)');

  const tools = ensureTools(log);
  const deadline = setTimeout(() => void abort(`total time limit of ${limitSec} s exceeded`, 1), limitSec * 1000);
  deadline.unref();

  tmpDir = mkdtempSync(join(os.tmpdir(), 'lookout-bench-'));
  const base = options.portBase;
  const ctx: Context = {
    repoRoot: REPO_ROOT,
    lookoutMain: options.lookoutMain ? resolve(options.lookoutMain) : join(REPO_ROOT, 'proxy', 'dist', 'main.js'),
    tmpDir,
    tools,
    host: options.host,
    upstreamPort: base,
    ports: {
      direct: base,
      lookout: base + 80,
      fastify: base + 81,
      'http-proxy': base + 82,
      haproxy: base + 83,
      nginx: base + 84,
      'lookout-telemetry': base + 85,
    },
    telemetryAdminPort: base + 86,
    esUrl: options.esUrl?.replace(/\/+$/, '') ?? `http://127.0.0.1:${BENCH_ES_PORT}`,
    startTimeoutMs: START_TIMEOUT_MS,
  };
  const wrk: WrkSettings = { threads: options.threads, connections: options.connections, durationSec: options.durationSec, host: options.host };
  const rate: RateSettings = {
    rate: options.rate,
    connections: options.rateConnections,
    durationSec: options.rateDurationSec,
    host: options.host,
    k6: options.k6,
    tmpDir,
  };
  const allTargets = buildTargets(ctx);
  const targets = allTargets.filter((t) => options.only.includes(t.id));

  // Elasticsearch first: a failure shows within a minute, and every target then runs beside the
  // same (idle) JVM.
  let es: Elasticsearch | undefined;
  if (withEs) {
    try {
      es = options.esUrl ? await useRunningElasticsearch(ctx.esUrl) : await startElasticsearch(REPO_ROOT, log);
      log(`Elasticsearch ${es.version} at ${es.url}${es.startedByBench ? ` (pid ${es.pid ?? '?'})` : ' (already running)'}`);
    } catch (error) {
      ctx.esError = message(error);
      if (!isShuttingDown()) {
        log(`Elasticsearch: FAILED: ${ctx.esError}`);
        log('lookout + ES telemetry will be reported as failed; the other targets run');
      }
    }
  }
  await haltIfAborting();
  /**
   * Before each target: Elasticsearch settles, then runs only for the telemetry target. An
   * Elasticsearch the bench started is paused (SIGSTOP) for every other target: even idle, its
   * JVM's background work cost the others up to a third of their throughput (measured).
   */
  const esFor = async (targetId: string): Promise<void> => {
    if (!es) return;
    const pausable = es.startedByBench && es.pid !== undefined;
    if (pausable) process.kill(es.pid!, 'SIGCONT');
    const idle = await waitForIdle(es, ES_IDLE_WAIT_SEC);
    if (idle && !idle.idle) log(`Elasticsearch still uses >= 5% of a core after ${idle.waitedSec.toFixed(0)} s; going on`);
    else if (idle && idle.waitedSec > 2) log(`waited ${idle.waitedSec.toFixed(0)} s for Elasticsearch to go idle`);
    if (pausable && targetId !== 'lookout-telemetry') process.kill(es.pid!, 'SIGSTOP');
  };

  log(`starting the upstream nginx on 127.0.0.1:${ctx.upstreamPort}`);
  const upstream = await startUpstream(ctx);

  /** Hooks of the telemetry target: empty indices before, ES CPU during, count after. */
  const telemetryHooks = <T>(loadRequests: (result: T) => number) => {
    let warmupRequests = 0;
    let cpuBefore: number | undefined;
    let measuredAt = 0;
    return {
      warmedUp: (requests: number) => {
        warmupRequests = requests;
      },
      measureStart: () => {
        cpuBefore = cpuSeconds(es?.pid);
        measuredAt = performance.now();
      },
      measureEnd: () => {
        const after = cpuSeconds(es?.pid);
        return cpuBefore === undefined || after === undefined ? undefined : (after - cpuBefore) / ((performance.now() - measuredAt) / 1000);
      },
      before: async () => {
        if (!es) throw new Error(`no Elasticsearch: ${ctx.esError ?? 'unknown'}`);
        const deleted = await deleteBenchIndices(es);
        if (deleted.length > 0) log(`deleted ${deleted.join(', ')} so that the count is this run's`);
        warmupRequests = 0;
      },
      count: async (run: Run<T>, esCores: number | undefined) => {
        if (!es || !run.result) return;
        log(`${run.label}: waiting for the pipeline to drain, then counting the events in Elasticsearch`);
        run.telemetry = await settleAndCount(es, ctx.telemetryAdminPort, warmupRequests + loadRequests(run.result), esCores);
        log(`${run.label}: ${deliverySummary(run.telemetry)} -> ${deliveryComplete(run.telemetry).ok ? 'complete' : 'INCOMPLETE'}`);
        if (run.telemetry.esCores !== undefined) log(`${run.label}: Elasticsearch used ${run.telemetry.esCores.toFixed(2)} cores during the measurement`);
      },
    };
  };

  /** One target through one phase; the telemetry target also gets its Elasticsearch hooks. */
  const measure = async <T extends { requests: number }>(target: Target, load: (port: number, seconds?: number) => Promise<T>): Promise<Run<T>> => {
    if (target.id !== 'lookout-telemetry') {
      return withTarget(ctx, upstream, target, (port) => load(port), (port) => load(port, options.warmupSec), options.warmupSec);
    }
    const hooks = telemetryHooks<T>((r) => r.requests);
    let esCores: number | undefined;
    return withTarget(
      ctx,
      upstream,
      target,
      async (port) => {
        hooks.measureStart();
        const result = await load(port);
        esCores = hooks.measureEnd();
        return result;
      },
      (port) => load(port, options.warmupSec).then((r) => hooks.warmedUp(r.requests)),
      options.warmupSec,
      { before: hooks.before, after: (r) => hooks.count(r, esCores) },
    );
  };

  const maxRuns: Array<Run<WrkResult>> = [];
  for (const [i, target] of targets.entries()) {
    await haltIfAborting();
    await esFor(target.id);
    log(`[max ${i + 1}/${targets.length}] ${target.label}`);
    const run = await measure(target, (port, seconds) => runWrk(port, wrk, seconds));
    if (run.result) {
      const r = run.result;
      log(
        `${target.label}: ${r.requestsPerSec.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
          `errors ${wrkErrors(r)}, peak RSS ${mib(run.rss?.maxRssKiB ?? 0).toFixed(1)} MiB, CPU ${run.cpuCores?.toFixed(2) ?? '?'} cores`,
      );
    }
    maxRuns.push(run);
  }

  const rateRuns: Array<Run<RateResult>> = [];
  const rateList = allTargets.filter((t) => rateTargets.includes(t.id));
  for (const [i, target] of rateList.entries()) {
    await haltIfAborting();
    await esFor(target.id);
    log(`[rate ${i + 1}/${rateList.length}] ${target.label} at ${options.rate} req/s over ${options.rateConnections} connections`);
    const run = await measure(target, (port, seconds) => runRate(port, rate, seconds));
    if (run.result) {
      const r = run.result;
      log(
        `${target.label}: ${r.achievedPerSec.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
          `errors ${r.errors + r.non2xx}${r.dropped > 0 ? `, dropped ${r.dropped}` : ''}, peak RSS ${mib(run.rss?.maxRssKiB ?? 0).toFixed(1)} MiB, CPU ${run.cpuCores?.toFixed(2) ?? '?'} cores`,
      );
    }
    rateRuns.push(run);
  }

  await stop(upstream);
  await stopElasticsearch(log);
  clearTimeout(deadline);

  const targetConfigs = targets.filter((t) => t.config).map((t) => ({ label: t.label, ...(t.config as { file: string; text: string }) }));
  const report: Report = {
    date: new Date(started),
    command: process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench',
    machine: machine(loadAtStart),
    versions: [
      ...versions(tools, BENCH_DIR, join(REPO_ROOT, 'proxy')),
      ...(withEs ? [['elasticsearch', es ? `${es.version}${es.startedByBench ? ' (scripts/elasticsearch.sh)' : ` (running at ${es.url})`}` : 'not available'] as [string, string]] : []),
    ],
    settings: settingsTable(options, wrk, rate, ctx, es),
    fairness: withEs ? [...FAIRNESS, ES_FAIRNESS] : FAIRNESS,
    targets,
    configs: [{ label: 'upstream nginx', file: 'nginx.conf', text: upstreamConfig(ctx) }, ...targetConfigs],
    rate: options.rate,
    maxRuns,
    rateRuns,
  };

  process.stdout.write(`\n${textReport(report)}\n`);
  if (options.write) {
    const name = (options.machine ?? os.hostname()).replace(/[^A-Za-z0-9._-]+/g, '-');
    const file = options.out ? resolve(options.out) : join(BENCH_DIR, 'results', `${report.date.toISOString().slice(0, 10)}-${name}.md`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, markdownReport(report));
    log(`report written to ${file}`);
  }
  await cleanup();
}

try {
  await main();
} catch (error) {
  await abort(`error: ${message(error)}`, 1);
}
