import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EchoSpawnError } from './errors.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const DEFAULT_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
/** How much of the child's stderr is kept for error messages. */
const STDERR_TAIL_BYTES = 8 * 1024;

export interface SpawnEchoUpstreamOptions {
  name?: string;
  /** Default 0 (any free port); pass the previous port to restart "the same" upstream. */
  port?: number;
  host?: string;
  /** More CLI flags, e.g. `['--delay-ms', '50']`. */
  args?: readonly string[];
  /** How long to wait for the listening line; default 10 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface SpawnedEchoUpstream {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Sends `signal` (default SIGKILL, a crash) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful stop: SIGTERM, then SIGKILL if still running after 10 s; resolves on exit. */
  stop(): Promise<void>;
}

interface ListeningLine {
  msg: 'listening';
  name: string;
  host: string;
  port: number;
}

function parseListeningLine(line: string): ListeningLine | undefined {
  try {
    const data: unknown = JSON.parse(line);
    if (typeof data === 'object' && data !== null && (data as { msg?: unknown }).msg === 'listening') return data as ListeningLine;
  } catch {
    // Not JSON: not the line we wait for.
  }
  return undefined;
}

/** Children still running, killed if the parent exits first so no upstream outlives a test run. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/**
 * Starts `src/main.ts` as a real child process and resolves once it listens.
 *
 * @example
 * const blue = await spawnEchoUpstream({ name: 'blue' });
 * await blue.kill();                                   // crash
 * const again = await spawnEchoUpstream({ name: 'blue', port: blue.port });
 * await again.stop();
 */
export function spawnEchoUpstream(options: SpawnEchoUpstreamOptions = {}): Promise<SpawnedEchoUpstream> {
  const args = [MAIN, '--port', String(options.port ?? 0)];
  if (options.host !== undefined) args.push('--host', options.host);
  if (options.name !== undefined) args.push('--name', options.name);
  if (options.args !== undefined) args.push(...options.args);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  track(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  const describe = (what: string): string =>
    `echo upstream (${process.execPath} ${args.join(' ')}) ${what}${stderr === '' ? '' : `; stderr:\n${stderr.trimEnd()}`}`;

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(force);
  };

  return new Promise((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const settle = (error: Error | undefined, line?: ListeningLine): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      if (error !== undefined) {
        void kill();
        reject(error);
        return;
      }
      const { name, host, port } = line as ListeningLine;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      resolve({ name, host, port, url, process: child, kill, stop });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Let the last stderr chunk arrive before describing the failure.
      setImmediate(() => settle(new EchoSpawnError(describe(`exited (${signal ?? `code ${code}`}) before listening`))));
    };
    const timer = setTimeout(() => settle(new EchoSpawnError(describe(`printed no listening line within ${timeoutMs} ms`))), timeoutMs);
    child.once('exit', onExit);
    child.once('error', (error) => settle(new EchoSpawnError(describe(`could not start: ${error.message}`), { cause: error })));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      if (settled) return;
      stdout += text;
      let newline: number;
      while ((newline = stdout.indexOf('\n')) !== -1) {
        const line = parseListeningLine(stdout.slice(0, newline));
        stdout = stdout.slice(newline + 1);
        if (line !== undefined) return settle(undefined, line);
      }
    });
  });
}
