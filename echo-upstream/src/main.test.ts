import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoUpstream } from './echo-server.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(args: string[]): Run {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (text: string) => {
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline !== -1) resolve(stdout.slice(0, newline));
    });
    child.once('exit', () => reject(new Error(`exited before printing a line; stderr: ${stderr}`)));
  });
  firstLine.catch(() => {});
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, firstLine, exit };
}

describe('echo-upstream CLI', () => {
  it('prints one JSON listening line with name, host and port, and serves on that port', async () => {
    const { child, firstLine, exit } = run(['--port', '0', '--name', 'cli-echo']);
    const line = JSON.parse(await firstLine) as { msg: string; name: string; host: string; port: number };
    expect(line).toEqual({ msg: 'listening', name: 'cli-echo', host: '127.0.0.1', port: expect.any(Number) });
    const reply = (await (await fetch(`http://127.0.0.1:${line.port}/hi`)).json()) as { instance: string; path: string };
    expect(reply).toMatchObject({ instance: 'cli-echo', path: '/hi' });
    child.kill('SIGTERM');
    const { code, stdout } = await exit;
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });

  it('defaults the name to echo-<port>', async () => {
    const { child, firstLine, exit } = run([]);
    const line = JSON.parse(await firstLine) as { name: string; port: number };
    expect(line.name).toBe(`echo-${line.port}`);
    child.kill('SIGINT');
    expect((await exit).code).toBe(0);
  });

  it('reads a JSON config file, flags winning over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echo-upstream-'));
    const config = join(dir, 'echo.json');
    writeFileSync(config, JSON.stringify({ name: 'from-file', status: 503, 'delay-ms': 0 }));
    const { child, firstLine, exit } = run(['--config', config, '--name', 'from-flag']);
    const line = JSON.parse(await firstLine) as { name: string; port: number };
    expect(line.name).toBe('from-flag');
    expect((await fetch(`http://127.0.0.1:${line.port}/`)).status).toBe(503);
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('finishes an in-flight request on SIGTERM before exiting 0', async () => {
    const { child, firstLine, exit } = run([]);
    const { port } = JSON.parse(await firstLine) as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-echo-delay-ms': '200' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect((await exit).code).toBe(0);
  });

  it.each([
    [['--delay-ms', 'soon'], '--delay-ms expects an integer from 0 to 3600000, got "soon"'],
    [['--error-ratio', '1.5'], '--error-ratio expects a number from 0 to 1, got "1.5"'],
    [['--bogus', '1'], 'unknown flag --bogus'],
    [['--config', '/nonexistent/echo.json'], '--config: cannot read /nonexistent/echo.json'],
  ])('exits 2 on %j with a message naming the flag and what it expects', async (args, message) => {
    const { code, stdout, stderr } = await run(args).exit;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`echo-upstream: ${message}`);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const taken = await startEchoUpstream();
    try {
      const { code, stderr } = await run(['--port', String(taken.port)]).exit;
      expect(code).toBe(1);
      expect(stderr).toContain(`echo-upstream: cannot listen on 127.0.0.1:${taken.port}`);
      expect(stderr).toContain('EADDRINUSE');
    } finally {
      await taken.close();
    }
  });

  it('prints the flags on --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']).exit;
    expect(code).toBe(0);
    expect(stdout).toContain('--slow-body-ms');
  });
});
