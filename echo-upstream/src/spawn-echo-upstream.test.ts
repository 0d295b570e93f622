import { describe, expect, it } from 'vitest';
import type { EchoReply } from './echo-reply.ts';
import { EchoSpawnError } from './errors.ts';
import { spawnEchoUpstream } from './spawn-echo-upstream.ts';

async function instanceAt(url: string): Promise<string> {
  return ((await (await fetch(url)).json()) as EchoReply).instance;
}

describe('spawnEchoUpstream', () => {
  it('starts a real child process that serves, and stop() ends it with exit code 0', async () => {
    const upstream = await spawnEchoUpstream({ name: 'spawned' });
    expect(upstream.url).toBe(`http://127.0.0.1:${upstream.port}`);
    expect(upstream.process.pid).toBeGreaterThan(0);
    expect(await instanceAt(upstream.url)).toBe('spawned');
    await upstream.stop();
    expect(upstream.process.exitCode).toBe(0);
    await expect(fetch(upstream.url)).rejects.toThrow(TypeError);
  });

  it('restarts on the same port after the previous process was killed', async () => {
    const first = await spawnEchoUpstream({ name: 'blue' });
    await first.kill();
    expect(first.process.signalCode).toBe('SIGKILL');
    await expect(fetch(first.url)).rejects.toThrow(TypeError);
    const second = await spawnEchoUpstream({ name: 'blue-again', port: first.port });
    try {
      expect(second.port).toBe(first.port);
      expect(await instanceAt(second.url)).toBe('blue-again');
    } finally {
      await second.stop();
    }
  });

  it('passes extra CLI flags to the child', async () => {
    const upstream = await spawnEchoUpstream({ args: ['--status', '503'] });
    try {
      expect(upstream.name).toBe(`echo-${upstream.port}`);
      expect((await fetch(upstream.url)).status).toBe(503);
    } finally {
      await upstream.stop();
    }
  });

  it('rejects with the child stderr when the child exits before listening', async () => {
    const error = await spawnEchoUpstream({ args: ['--delay-ms', 'soon'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EchoSpawnError);
    expect((error as EchoSpawnError).code).toBe('ECHO_SPAWN_FAILED');
    expect((error as Error).message).toMatch(/exited \(code 2\) before listening/);
    expect((error as Error).message).toContain('--delay-ms expects an integer from 0 to 3600000, got "soon"');
  });

  it('rejects when the port is already taken by another upstream', async () => {
    const holder = await spawnEchoUpstream();
    try {
      await expect(spawnEchoUpstream({ port: holder.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await holder.stop();
    }
  });

  it('rejects after timeoutMs without a listening line, and kills the child', async () => {
    const error = (await spawnEchoUpstream({ timeoutMs: 1 }).catch((e: unknown) => e)) as EchoSpawnError;
    expect(error).toBeInstanceOf(EchoSpawnError);
    expect(error.message).toMatch(/printed no listening line within 1 ms/);
  });
});
