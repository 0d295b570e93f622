import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

let echoes: SpawnedEchoUpstream[] = [];
let proxy: SpawnedProxy | undefined;

afterEach(async () => {
  await proxy?.stop();
  await Promise.all(echoes.map((e) => e.stop()));
  echoes = [];
});

async function get(host: string, path = '/') {
  const response = await request(`${proxy!.url}${path}`, { headers: { host } });
  const text = await response.body.text();
  return { status: response.statusCode, json: () => JSON.parse(text) as EchoReply & { error: { code: string } } };
}

describe('failover', () => {
  it('loses no GET when one of three members is killed, ejects it, and readmits it when it returns', async () => {
    echoes = await Promise.all(['m1', 'm2', 'm3'].map((name) => spawnEchoUpstream({ name })));
    proxy = await spawnProxy({
      listen: { port: 0 },
      services: [
        {
          name: 'pool',
          hosts: ['pool.test'],
          upstreams: echoes.map((e) => ({ url: e.url })),
          healthCheck: { path: '/health', interval: '200ms', timeout: '200ms', healthyThreshold: 2, unhealthyThreshold: 2 },
          outlierDetection: { consecutiveFailures: 2, baseEjection: '30s' },
        },
      ],
    });
    const victim = echoes[1]!;
    const seen: string[] = [];
    const failures: string[] = [];
    let stop = false;
    const load = (async () => {
      const deadline = Date.now() + 15_000;
      while (!stop && Date.now() < deadline) {
        try {
          const response = await get('pool.test');
          if (response.status === 200) seen.push(response.json().instance);
          else failures.push(`${response.status} ${JSON.stringify(response.json())}`);
        } catch (error) {
          failures.push(`client error ${(error as Error).message}`);
        }
      }
    })();

    try {
      await waitFor(() => seen.length > 30, 'traffic flowing');
      await victim.kill('SIGKILL');
      const killedAt = seen.length;
      await proxy.waitForLog((line) => line.msg === 'upstream member unhealthy' && line.member === victim.url, 5_000);
      await waitFor(() => seen.length > killedAt + 60, 'traffic after the kill');
      expect(seen.slice(killedAt + 20)).not.toContain('m2');

      echoes[1] = await spawnEchoUpstream({ name: 'm2', port: victim.port });
      await proxy.waitForLog((line) => line.msg === 'upstream member healthy' && line.member === victim.url, 5_000);
      const back = seen.length;
      await waitFor(() => seen.slice(back).includes('m2'), `m2 serving again (last: ${seen.slice(-5).join(',')}, failures: ${failures.length})`);
    } finally {
      stop = true;
      await load;
    }
    expect(failures).toEqual([]);
  });

  it('never sends a POST twice when the member fails after receiving it', async () => {
    // Two real upstreams that count what reaches them and then reset the connection.
    let received = 0;
    const servers = await Promise.all(
      [0, 1].map(async () => {
        const server = createServer((req) => {
          req.resume();
          req.on('end', () => {
            received++;
            req.socket.destroy();
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return server;
      }),
    );
    try {
      proxy = await spawnProxy({
        listen: { port: 0 },
        services: [
          {
            name: 'pool',
            hosts: ['pool.test'],
            upstreams: servers.map((server) => ({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
            retries: { attempts: 3 },
          },
        ],
      });
      const response = await request(`${proxy.url}/orders`, { method: 'POST', headers: { host: 'pool.test', 'content-type': 'application/json' }, body: '{"order":1}' });
      const body = (await response.body.json()) as { error: { code: string } };
      expect(response.statusCode).toBe(502);
      expect(body.error.code).toBe('PROXY_UPSTREAM_RESET');
      expect(received).toBe(1);
      // The same failure on an idempotent request is retried on the other member.
      received = 0;
      const retried = await request(`${proxy.url}/orders`, { headers: { host: 'pool.test' } });
      await retried.body.dump();
      expect(received).toBe(2);
    } finally {
      for (const server of servers) server.close();
    }
  }, 20_000);

  it('retries a POST on another member when the connection was refused before anything was sent', async () => {
    const live = await spawnEchoUpstream({ name: 'live' });
    const dead = await spawnEchoUpstream({ name: 'dead' });
    echoes = [live];
    await dead.kill('SIGKILL');
    proxy = await spawnProxy({
      listen: { port: 0 },
      services: [{ name: 'pool', hosts: ['pool.test'], upstreams: [{ url: dead.url }, { url: live.url }] }],
    });
    for (let i = 0; i < 4; i++) {
      const response = await request(`${proxy.url}/`, { method: 'POST', headers: { host: 'pool.test' }, body: `payload-${i}` });
      const reply = (await response.body.json()) as EchoReply;
      expect(response.statusCode).toBe(200);
      expect(reply.instance).toBe('live');
      expect(reply.body).toBe(`payload-${i}`);
    }
  }, 20_000);
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
