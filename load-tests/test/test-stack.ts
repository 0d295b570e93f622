// The real stack the load-test tests run k6 against: echo upstreams and the proxy, as child
// processes on ephemeral loopback ports, the proxy recording to its embedded SQLite sink.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { spawnProxy, type SpawnedProxy } from '../../proxy/test/spawn-proxy.ts';

/** The load-tests folder, where the profiles are. */
export const LOAD_TESTS_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface TestStack {
  readonly dir: string;
  readonly host: string;
  readonly proxy: SpawnedProxy;
  readonly upstreams: readonly SpawnedEchoUpstream[];
  readonly eventsFile: string;
  /** Request events of `host` (probes left out) with `@timestamp` in `[from, to)`. */
  countEvents(from: number, to: number): number;
  stop(): Promise<void>;
}

/** Starts `members` echo upstreams and a proxy routing `host` to them round-robin. */
export async function startTestStack(options: { host?: string; members?: number } = {}): Promise<TestStack> {
  const host = options.host ?? 'load.test';
  const dir = mkdtempSync(join(tmpdir(), 'lookout-load-'));
  const eventsFile = join(dir, 'telemetry.sqlite');
  const upstreams = await Promise.all(Array.from({ length: options.members ?? 2 }, (_, i) => spawnEchoUpstream({ name: `echo-${i + 1}` })));
  const proxy = await spawnProxy({
    listen: { host: '127.0.0.1', port: 0 },
    services: [{ name: 'load', hosts: [host], balancer: 'round-robin', upstreams: upstreams.map((u) => ({ url: u.url })) }],
    telemetry: { sink: 'embedded', embedded: { path: eventsFile } },
  });
  return {
    dir,
    host,
    proxy,
    upstreams,
    eventsFile,
    countEvents(from, to) {
      const db = new DatabaseSync(eventsFile, { readOnly: true, timeout: 5_000 });
      try {
        const row = db
          .prepare(`SELECT count(*) AS n FROM request_events WHERE probe = 0 AND json_extract(doc, '$.url.domain') = ? AND ts >= ? AND ts < ?`)
          .get(host, from, to) as { n: number };
        return Number(row.n);
      } finally {
        db.close();
      }
    },
    async stop() {
      await proxy.stop();
      await Promise.all(upstreams.map((u) => u.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface K6Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The parsed summary file the profile wrote. */
  readonly summary: K6Summary | undefined;
  readonly summaryFile: string;
}

/** The fields of a profile summary the tests read (format lookout-k6-summary 1). */
export interface K6Summary {
  format: string;
  version: number;
  profile: string;
  passed: boolean;
  scenarioStartMs: number;
  endedAtMs: number;
  totals: { requests: number; failed: number; failedRate: number; droppedIterations: number; p99Ms: number | null; checksRate: number | null };
  thresholds: { metric: string; threshold: string; ok: boolean }[];
  steps: { label: string; rate: number; startMs: number; endMs: number; client: { requests: number; failedRate: number | null } }[];
}

/** Runs `k6 run load-tests/<profile>.js` against the stack with `env` settings; resolves when k6 exits (killed after `timeoutMs`). */
export function runK6(k6: string, profile: string, stack: TestStack, env: Record<string, string>, timeoutMs = 60_000): Promise<K6Result> {
  const summaryFile = join(stack.dir, `${profile}-summary.json`);
  const args = ['run', '--quiet', '--no-color'];
  const settings = { TARGET_URL: `${stack.proxy.url}/`, TARGET_HOST: stack.host, SUMMARY_FILE: summaryFile, ...env };
  for (const [name, value] of Object.entries(settings)) args.push('-e', `${name}=${value}`);
  args.push(join(LOAD_TESTS_DIR, `${profile}.js`));
  return new Promise((resolve, reject) => {
    const child = spawn(k6, args, { cwd: stack.dir, env: { ...process.env, K6_NO_USAGE_REPORT: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      let summary: K6Summary | undefined;
      try {
        summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary;
      } catch {
        summary = undefined;
      }
      resolve({ status, stdout, stderr, summary, summaryFile });
    });
  });
}

/** Polls `read` until it returns `expected` or `timeoutMs` passes; returns the last value. */
export async function settle(read: () => number, expected: number, timeoutMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let value = read();
  while (value !== expected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    value = read();
  }
  return value;
}
