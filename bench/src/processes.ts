import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** How much of each child's stdout/stderr is kept for failure reports. */
const TAIL_BYTES = 16 * 1024;

/** A child process started by the bench, in its own process group so that its children go too. */
export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  exitedAlready(): boolean;
  stdout(): string;
  stderr(): string;
}

const running = new Set<Managed>();
/** Set by stopAll(): nothing new starts once cleanup has begun. */
let shuttingDown = false;

export function isShuttingDown(): boolean {
  return shuttingDown;
}

function tailBuffer(): { push(chunk: Buffer): void; text(): string } {
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > 2 * TAIL_BYTES) {
        const all = Buffer.concat(chunks).subarray(-TAIL_BYTES);
        chunks = [all];
        size = all.length;
      }
    },
    text: () => Buffer.concat(chunks).subarray(-TAIL_BYTES).toString('utf8'),
  };
}

/**
 * Starts `command` detached (own process group), keeps the tail of its output and registers it
 * for cleanup. A command that cannot be spawned (ENOENT) resolves `exited` with the error.
 */
export function start(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onStdout?: (chunk: Buffer) => void } = {},
): Managed {
  if (shuttingDown) throw new Error('the bench is shutting down');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = tailBuffer();
  const err = tailBuffer();
  child.stdout?.on('data', (chunk: Buffer) => {
    out.push(chunk);
    options.onStdout?.(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => {
      done = true;
      resolve({ code: null, signal: null, error });
    });
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const managed: Managed = {
    name,
    pid: child.pid ?? -1,
    child,
    exited,
    exitedAlready: () => done,
    stdout: out.text,
    stderr: err.text,
  };
  running.add(managed);
  void exited.then(() => {
    // The group may still hold grandchildren (nginx workers); stop() and killAllSync() handle them.
    if (managed.pid <= 0) running.delete(managed);
  });
  return managed;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Group already gone.
  }
}

function groupAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs` if anything of it is still alive. */
export async function stop(managed: Managed, graceMs = 3000): Promise<void> {
  if (!running.has(managed)) return;
  signalGroup(managed.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(managed.pid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(managed.pid)) {
    signalGroup(managed.pid, 'SIGKILL');
    while (groupAlive(managed.pid) && Date.now() < deadline + 2000) await sleep(50);
  }
  await Promise.race([managed.exited, sleep(1000)]);
  running.delete(managed);
}

/** Stops every process the bench started, newest first. */
export async function stopAll(): Promise<void> {
  shuttingDown = true;
  for (const managed of [...running].reverse()) await stop(managed);
}

/** Last-resort synchronous cleanup for `process.on('exit')`. */
export function killAllSync(): void {
  for (const managed of running) signalGroup(managed.pid, 'SIGKILL');
  running.clear();
}

/** Runs a command to completion with a time limit; returns its exit code and output. */
export async function runToEnd(
  name: string,
  command: string,
  args: readonly string[],
  timeoutMs: number,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error; timedOut: boolean }> {
  const managed = start(name, command, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop(managed, 1000);
  }, timeoutMs);
  const result = await managed.exited;
  clearTimeout(timer);
  await stop(managed, 1000);
  return { code: result.code, stdout: managed.stdout(), stderr: managed.stderr(), error: result.error, timedOut };
}

/** The last `lines` lines of a process's stderr and stdout, for failure reports. */
export function outputTail(managed: Managed, lines = 20): string {
  const pick = (text: string) => text.trimEnd().split('\n').slice(-lines).join('\n');
  const parts: string[] = [];
  const err = pick(managed.stderr());
  const out = pick(managed.stdout());
  if (err) parts.push(`stderr:\n${err}`);
  if (out) parts.push(`stdout:\n${out}`);
  return parts.join('\n') || '(no output)';
}
