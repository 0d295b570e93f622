import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

let echo: SpawnedEchoUpstream;
let stuck: SpawnedEchoUpstream;
let proxy: SpawnedProxy;
let blackhole: { port: number; process: ChildProcess; fillers: Socket[] };

/**
 * A listener that never accepts, with its accept queue already full: the kernel drops further
 * SYNs, so a connect to it hangs like one to an unreachable host, all on loopback.
 */
async function startBlackhole(): Promise<typeof blackhole> {
  const child = spawn('python3', [
    '-c',
    'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)',
  ]);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('error', reject);
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { port, process: child, fillers };
}

beforeAll(async () => {
  echo = await spawnEchoUpstream({ name: 'slow' });
  stuck = await spawnEchoUpstream({ name: 'stuck', args: ['--delay-ms', '5000'] });
  blackhole = await startBlackhole();
  proxy = await spawnProxy({
    listen: { port: 0 },
    services: [
      { name: 'headers', hosts: ['headers.test'], upstreams: [{ url: echo.url }], timeouts: { headers: '1s' }, retries: { attempts: 0 } },
      { name: 'total', hosts: ['total.test'], upstreams: [{ url: echo.url }], timeouts: { headers: '10s', total: '800ms' } },
      { name: 'connect', hosts: ['connect.test'], upstreams: [{ url: `http://127.0.0.1:${blackhole.port}` }], timeouts: { connect: '500ms' }, retries: { attempts: 0 } },
      { name: 'body', hosts: ['body.test'], upstreams: [{ url: echo.url }], timeouts: { bodyIdle: '500ms' } },
      {
        name: 'per-try',
        hosts: ['per-try.test'],
        balancer: 'round-robin',
        upstreams: [{ url: stuck.url }, { url: echo.url }],
        timeouts: { headers: '500ms' },
        retries: { attempts: 1 },
        outlierDetection: false,
      },
    ],
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await stuck?.stop();
  await echo?.stop();
  for (const socket of blackhole?.fillers ?? []) socket.destroy();
  blackhole?.process.kill();
});

async function timed(host: string, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await request(`${proxy.url}/`, { headers: { host, ...headers } });
  const body = (await response.body.json()) as { error?: { code: string } };
  return { status: response.statusCode, code: body.error?.code, elapsed: performance.now() - started };
}

describe('timeouts', () => {
  it('answers 504 PROXY_UPSTREAM_HEADERS_TIMEOUT within 100 ms of the headers timeout', async () => {
    const result = await timed('headers.test', { 'x-echo-delay-ms': '3000' });
    expect(result).toMatchObject({ status: 504, code: 'PROXY_UPSTREAM_HEADERS_TIMEOUT' });
    expect(result.elapsed).toBeGreaterThanOrEqual(1000);
    expect(result.elapsed).toBeLessThan(1100);
  });

  it('answers 504 PROXY_REQUEST_TIMEOUT within 100 ms of the total timeout', async () => {
    const result = await timed('total.test', { 'x-echo-delay-ms': '3000' });
    expect(result).toMatchObject({ status: 504, code: 'PROXY_REQUEST_TIMEOUT' });
    expect(result.elapsed).toBeGreaterThanOrEqual(800);
    expect(result.elapsed).toBeLessThan(900);
  });

  it('answers 504 PROXY_UPSTREAM_CONNECT_TIMEOUT within 100 ms of the connect timeout', async () => {
    const result = await timed('connect.test');
    expect(result).toMatchObject({ status: 504, code: 'PROXY_UPSTREAM_CONNECT_TIMEOUT' });
    expect(result.elapsed).toBeGreaterThanOrEqual(500);
    expect(result.elapsed).toBeLessThan(600);
  });

  it('cuts a streamed response whose body stalls longer than the body idle timeout', async () => {
    const started = performance.now();
    // 100 000 bytes: over retries.holdResponseBody (64 KiB), so the headers go out at once.
    const response = await request(`${proxy.url}/`, { headers: { host: 'body.test', 'x-echo-slow-body-ms': '2000', 'x-echo-response-bytes': '100000' } });
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers 504 PROXY_UPSTREAM_BODY_TIMEOUT when a held (small) response stalls and no other member is left', async () => {
    const started = performance.now();
    const response = await request(`${proxy.url}/`, { headers: { host: 'body.test', 'x-echo-slow-body-ms': '2000' } });
    const body = (await response.body.json()) as { error?: { code: string } };
    expect(response.statusCode).toBe(504);
    expect(body.error?.code).toBe('PROXY_UPSTREAM_BODY_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers a fast request normally on the same services', async () => {
    expect((await timed('total.test')).status).toBe(200);
  });

  it('retries an idempotent request on another member when a member sends no headers in time; never a POST', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const started = performance.now();
        const response = await request(`${proxy.url}/`, { headers: { host: 'per-try.test' } });
        const body = (await response.body.json()) as { instance?: string };
        return { status: response.statusCode, instance: body.instance, elapsed: performance.now() - started };
      }),
    );
    expect(answers.map((answer) => [answer.status, answer.instance])).toEqual(Array(4).fill([200, 'slow']));
    // Round-robin sent half of them to the stuck member first: those waited one per-try timeout.
    expect(answers.filter((answer) => answer.elapsed >= 500).length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...answers.map((answer) => answer.elapsed))).toBeLessThan(1_500);

    const posts = await Promise.all(
      Array.from({ length: 2 }, async () => {
        const response = await request(`${proxy.url}/`, { method: 'POST', body: 'order', headers: { host: 'per-try.test' } });
        return { status: response.statusCode, body: (await response.body.json()) as { error?: { code: string } } };
      }),
    );
    // One of the two went to the stuck member: it reached it, so it is never sent again.
    expect(posts.map((post) => post.status).sort()).toEqual([200, 504]);
    expect(posts.find((post) => post.status === 504)?.body.error?.code).toBe('PROXY_UPSTREAM_HEADERS_TIMEOUT');
  });
});
