// The Elasticsearch behind the `lookout-telemetry` target: started with scripts/elasticsearch.sh
// (or an already running one given by --es-url), plus the queries the bench makes to it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds } from './cpu.ts';

/** Port of the Elasticsearch the bench starts (not the 9200 of the test suite). */
export const BENCH_ES_PORT = 9270;
/** Write alias of the telemetry target; its indices are `lookout-bench-000001`, ... */
export const BENCH_ES_INDEX = 'lookout-bench';
/** What the script is given to wait for yellow. */
const ES_START_TIMEOUT_SEC = 180;
/** Seconds the bench allows for starting and stopping Elasticsearch, for the hard time limit. */
export const ES_LIFECYCLE_SEC = ES_START_TIMEOUT_SEC + 90;

export interface Elasticsearch {
  /** Base URL, no trailing slash. */
  url: string;
  /** True when the bench started it (and stops it at the end). */
  startedByBench: boolean;
  /** PID of the Elasticsearch JVM when known (started by the bench): CPU accounting, idle wait. */
  pid?: number;
  version: string;
}

let scriptChild: ChildProcess | undefined;
let scriptPath: string | undefined;
/** Set from the moment the bench asks for a start until the stop has finished. */
let needsStop = false;
/** The Elasticsearch the bench started, which the bench may have paused (SIGSTOP). */
let startedPid: number | undefined;

/** Lets a paused Elasticsearch run again, so that it can stop. */
function resume(): void {
  if (startedPid === undefined) return;
  try {
    process.kill(startedPid, 'SIGCONT');
  } catch {
    // Already gone.
  }
}

function scriptEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ES_PORT: String(BENCH_ES_PORT), ES_START_TIMEOUT: String(ES_START_TIMEOUT_SEC) };
}

/** Plain JSON request to Elasticsearch with a time limit. */
export async function esRequest(es: { url: string }, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(`${es.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function esVersion(url: string): Promise<string> {
  try {
    // GET / is missing from the integ-test zip (no rest-root module); the nodes API has it.
    const { json } = await esRequest({ url }, 'GET', '/_nodes/_local?filter_path=nodes.*.version', undefined, 5000);
    const nodes = (json as { nodes?: Record<string, { version?: string }> } | undefined)?.nodes ?? {};
    return Object.values(nodes)[0]?.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Uses an Elasticsearch that is already running; throws when it does not answer. */
export async function useRunningElasticsearch(url: string): Promise<Elasticsearch> {
  const base = url.replace(/\/+$/, '');
  let health: { status: number; text: string };
  try {
    health = await esRequest({ url: base }, 'GET', '/_cluster/health', undefined, 5000);
  } catch (error) {
    throw new Error(`Elasticsearch at ${base} does not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (health.status !== 200) throw new Error(`Elasticsearch at ${base}: GET /_cluster/health returned ${health.status}: ${health.text.slice(0, 200)}`);
  return { url: base, startedByBench: false, version: await esVersion(base) };
}

/** The run dir the script uses for ES_PORT=9270 (pid file, logs). */
function runDir(script: string): string {
  const result = spawnSync('bash', [script, 'env'], { env: scriptEnv(), encoding: 'utf8', timeout: 10_000 });
  const match = /^ES_RUN_DIR=(.+)$/m.exec(result.stdout ?? '');
  return match?.[1]?.trim() || process.env.ES_RUN_DIR || `/tmp/lookout-elasticsearch-${BENCH_ES_PORT}`;
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `ES_PORT=9270 bash scripts/elasticsearch.sh start`: a single-node Elasticsearch 8 on
 * 127.0.0.1, clean data dir, waits for yellow. The script runs in its own process group, so a
 * Ctrl-C in the terminal reaches the bench only, which then stops Elasticsearch in order.
 */
export async function startElasticsearch(repoRoot: string, log: (line: string) => void): Promise<Elasticsearch> {
  const script = join(repoRoot, 'scripts', 'elasticsearch.sh');
  const url = `http://127.0.0.1:${BENCH_ES_PORT}`;
  // The script refuses a port that something else answers on, and reuses its own instance left
  // over from an interrupted run (stopped at the end like a fresh one).
  scriptPath = script;
  needsStop = true;
  log(`starting Elasticsearch at ${url}: ES_PORT=${BENCH_ES_PORT} bash scripts/elasticsearch.sh start (usually 20-40 s)`);
  const child = spawn('bash', [script, 'start'], { cwd: repoRoot, env: scriptEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  scriptChild = child;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const result = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  scriptChild = undefined;
  if (result.error || result.code !== 0) {
    const tail = output.trim().split('\n').slice(-25).join('\n');
    throw new Error(`scripts/elasticsearch.sh start failed (${result.error?.message ?? `exit ${result.code}`}):\n${tail}`);
  }
  const pid = readPid(join(runDir(script), 'elasticsearch.pid'));
  startedPid = pid;
  return { url, startedByBench: true, pid, version: await esVersion(url) };
}

/** Stops the Elasticsearch the bench started (no-op otherwise); waits until it is gone. */
export async function stopElasticsearch(log: (line: string) => void): Promise<void> {
  if (!needsStop || !scriptPath) return;
  resume();
  const script = scriptPath;
  killStartingScript();
  log('stopping Elasticsearch (scripts/elasticsearch.sh stop)');
  await new Promise<void>((resolve) => {
    const child = spawn('bash', [script, 'stop'], { env: scriptEnv(), stdio: 'ignore' });
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', () => resolve());
    child.once('close', () => {
      clearTimeout(guard);
      resolve();
    });
  });
  needsStop = false;
}

/** Last resort for `process.on('exit')`: synchronous stop. */
export function stopElasticsearchSync(): void {
  if (!needsStop || !scriptPath) return;
  resume();
  killStartingScript();
  spawnSync('bash', [scriptPath, 'stop'], { env: scriptEnv(), stdio: 'ignore', timeout: 60_000 });
  needsStop = false;
}

/** A start still in progress: its process group (script, launcher, JVM) goes first. */
function killStartingScript(): void {
  const child = scriptChild;
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  scriptChild = undefined;
}

/**
 * Waits until the Elasticsearch JVM uses less than `maxCores` of a core over a 1 s window (after
 * start-up, or merges and refreshes after the telemetry target), so that it does not take CPU
 * from the next target. Returns the seconds waited, or undefined when its PID is unknown.
 */
export async function waitForIdle(es: Elasticsearch, maxWaitSec = 60, maxCores = 0.05): Promise<{ waitedSec: number; idle: boolean } | undefined> {
  if (es.pid === undefined) return undefined;
  const begin = Date.now();
  for (;;) {
    const before = cpuSeconds(es.pid);
    await sleep(1000);
    const after = cpuSeconds(es.pid);
    if (before === undefined || after === undefined) return undefined;
    const waitedSec = (Date.now() - begin) / 1000;
    if (after - before < maxCores) return { waitedSec, idle: true };
    if (waitedSec >= maxWaitSec) return { waitedSec, idle: false };
  }
}

/** Index names behind `lookout-bench*` (the alias's indices). */
async function benchIndices(es: Elasticsearch): Promise<string[]> {
  const response = await esRequest(es, 'GET', `/_cat/indices/${BENCH_ES_INDEX}*?format=json&h=index&expand_wildcards=all`);
  if (response.status === 404) return [];
  if (response.status !== 200) throw new Error(`GET _cat/indices returned ${response.status}: ${response.text.slice(0, 200)}`);
  return ((response.json as Array<{ index?: string }>) ?? []).map((row) => row.index ?? '').filter(Boolean);
}

/**
 * Deletes every `lookout-bench*` index (by name: clusters with action.destructive_requires_name
 * refuse wildcards) so that the next count is this run's. The index template stays; the proxy
 * creates `lookout-bench-000001` and the alias again when it starts.
 */
export async function deleteBenchIndices(es: Elasticsearch): Promise<string[]> {
  const names = await benchIndices(es);
  if (names.length === 0) return [];
  const response = await esRequest(es, 'DELETE', `/${names.map(encodeURIComponent).join(',')}`);
  if (response.status !== 200) throw new Error(`DELETE ${names.join(',')} returned ${response.status}: ${response.text.slice(0, 200)}`);
  return names;
}

export interface EsCount {
  documents: number;
  /** Documents flagged `lookout.probe` (readiness checks). */
  probes?: number;
  /** Documents by `lookout.termination` (ok, client_abort, local, ...). */
  byTermination?: Record<string, number>;
}

/** Refresh, then count the documents in `lookout-bench*` with a breakdown. */
export async function countBenchDocuments(es: Elasticsearch): Promise<EsCount> {
  const pattern = `${BENCH_ES_INDEX}*`;
  const refresh = await esRequest(es, 'POST', `/${pattern}/_refresh`);
  if (refresh.status !== 200) throw new Error(`POST ${pattern}/_refresh returned ${refresh.status}: ${refresh.text.slice(0, 200)}`);
  const count = await esRequest(es, 'GET', `/${pattern}/_count`);
  if (count.status !== 200) throw new Error(`GET ${pattern}/_count returned ${count.status}: ${count.text.slice(0, 200)}`);
  const result: EsCount = { documents: (count.json as { count?: number }).count ?? 0 };
  // The breakdown is a nicety: a cluster that cannot aggregate still gives the count.
  try {
    const search = await esRequest(es, 'POST', `/${pattern}/_search`, {
      size: 0,
      track_total_hits: true,
      aggs: {
        termination: { terms: { field: 'lookout.termination', size: 50 } },
        probes: { filter: { term: { 'lookout.probe': true } } },
      },
    });
    if (search.status === 200) {
      const aggs = (search.json as { aggregations?: { termination?: { buckets?: Array<{ key: string; doc_count: number }> }; probes?: { doc_count?: number } } }).aggregations;
      result.probes = aggs?.probes?.doc_count;
      result.byTermination = Object.fromEntries((aggs?.termination?.buckets ?? []).map((b) => [b.key, b.doc_count]));
    }
  } catch {
    // Keep the plain count.
  }
  return result;
}
