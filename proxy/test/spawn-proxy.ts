import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { RequestEvent } from '@lookout/telemetry';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { spawnJsonLoggingProcess } from '../../scripts/test/json-logging-process.ts';
import { proxyArgs, proxyRuntime } from '../launch.mjs';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** A proxy running as a real child process, for integration tests. */
export interface SpawnedProxy {
  readonly port: number;
  readonly url: string;
  readonly configFile: string;
  readonly process: ChildProcess;
  /** Every JSON log line so far. */
  readonly logs: Record<string, unknown>[];
  /** Rewrites the config file (object or raw text) and sends SIGHUP. */
  reload(config: object | string): void;
  /** Resolves with the first log line (present or future) matching `predicate`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The request events stored so far in order, when the proxy runs with the default embedded sink (read-only, while it writes). */
  storedEvents(): RequestEvent[];
  /** The latest stored event whose `url.path` is `path`, once there is one (rejects after `timeoutMs`, default 5 s). */
  storedEventFor(path: string, timeoutMs?: number): Promise<RequestEvent>;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Options of {@link spawnProxy}. */
export interface SpawnProxyOptions {
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Start the proxy as it runs in production: the bundle (`proxy/dist/main.js`, built by the
   * caller, e.g. with `buildProxyIfStale`) with the flags and environment of
   * `proxy/node-runtime.json`, instead of the sources.
   */
  readonly bundle?: boolean;
}

/** Writes `config` to a temp file and starts `proxy/src/main.ts --config FILE` (or the bundle). */
export async function spawnProxy(config: object, options: SpawnProxyOptions = {}): Promise<SpawnedProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-proxy-'));
  const configFile = join(dir, 'proxy.yaml');
  // The default sink (embedded SQLite), kept in the test's own directory.
  const withTelemetry = 'telemetry' in config ? config : { ...config, telemetry: { sink: 'embedded', embedded: { path: join(dir, 'telemetry.sqlite') } } };
  writeFileSync(configFile, stringify(withTelemetry));
  const service = options.bundle
    ? spawnJsonLoggingProcess('proxy', proxyArgs(['--config', configFile]), { ...(proxyRuntime() as { env: NodeJS.ProcessEnv }).env, ...options.env })
    : spawnJsonLoggingProcess('proxy', [MAIN, '--config', configFile], options.env);
  const { process: child, logs, waitForLog, exited } = service;

  const listening = await Promise.race([
    waitForLog((line) => line.msg === 'listening'),
    exited.then((code) => {
      throw new Error(`proxy exited with ${code} before listening: ${service.stderr().slice(-2000)} ${JSON.stringify(logs.slice(-5))}`);
    }),
  ]);
  const port = listening.port as number;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    configFile,
    process: child,
    logs,
    reload(next) {
      writeFileSync(configFile, typeof next === 'string' ? next : stringify(next));
      child.kill('SIGHUP');
    },
    waitForLog,
    storedEvents: () => readStoredEvents(join(dir, 'telemetry.sqlite')),
    storedEventFor: (path, timeoutMs = 5_000) => waitForStoredEvent(join(dir, 'telemetry.sqlite'), path, timeoutMs),
    stop: service.stop,
  };
}

function readStoredEvents(file: string): RequestEvent[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT doc FROM request_events ORDER BY seq').all() as { doc: string }[]).map((row) => JSON.parse(row.doc) as RequestEvent);
  } finally {
    db.close();
  }
}

async function waitForStoredEvent(file: string, path: string, timeoutMs: number): Promise<RequestEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = readStoredEvents(file).findLast((one) => one.url.path === path);
    if (event !== undefined) return event;
    if (Date.now() > deadline) throw new Error(`no stored event for ${path} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
