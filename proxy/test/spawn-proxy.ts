import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

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
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Writes `config` to a temp file and starts `proxy/src/main.ts --config FILE`. */
export async function spawnProxy(config: object, options: { env?: NodeJS.ProcessEnv } = {}): Promise<SpawnedProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-proxy-'));
  const configFile = join(dir, 'proxy.yaml');
  // The default sink (embedded SQLite), kept in the test's own directory.
  const withTelemetry = 'telemetry' in config ? config : { ...config, telemetry: { sink: 'embedded', embedded: { path: join(dir, 'telemetry.sqlite') } } };
  writeFileSync(configFile, stringify(withTelemetry));
  const child = spawn(process.execPath, [MAIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const logs: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      logs.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.predicate(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  });

  const waitForLog = (predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
    const existing = logs.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`log line not seen in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; logs: ${JSON.stringify(logs.slice(-5))}`)), timeoutMs);
      waiters.push({
        predicate,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  };

  const listening = await Promise.race([
    waitForLog((line) => line.msg === 'listening'),
    exited.then((code) => {
      throw new Error(`proxy exited with ${code} before listening: ${stderr.slice(-2000)} ${JSON.stringify(logs.slice(-5))}`);
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
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}
