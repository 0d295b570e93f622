import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { once } from 'node:events';
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

  /** Three members, the second cutting every body after 5 bytes; outlier ejection after 3 failures. */
  async function poolWithTruncatingMember(holdResponseBody?: number) {
    const healthy = await Promise.all(['m1', 'm3'].map((name) => spawnEchoUpstream({ name })));
    const truncating = await spawnEchoUpstream({ name: 'm2', args: ['--reset-after-bytes', '5'] });
    echoes = [healthy[0]!, truncating, healthy[1]!];
    proxy = await spawnProxy({
      listen: { port: 0 },
      services: [
        {
          name: 'pool',
          hosts: ['pool.test'],
          upstreams: echoes.map((e) => ({ url: e.url })),
          outlierDetection: { consecutiveFailures: 3, baseEjection: '30s' },
          ...(holdResponseBody !== undefined && { retries: { holdResponseBody } }),
        },
      ],
    });
    const served: string[] = [];
    let truncated = 0;
    for (let i = 0; i < 60; i++) {
      try {
        served.push((await get('pool.test')).json().instance);
      } catch {
        // The headers (200) came through; the body was cut short, so the client's read fails.
        truncated++;
      }
    }
    return { served, truncated, truncating };
  }

  it('retries a GET whose response a member cuts off mid-body, unseen by the client, and ejects the member', async () => {
    const { served, truncated, truncating } = await poolWithTruncatingMember();
    expect(truncated).toBe(0);
    expect(served).toHaveLength(60);
    expect(served).not.toContain('m2');
    await proxy!.waitForLog((line) => line.msg === 'upstream member ejected' && line.member === truncating.url, 5_000);
  }, 20_000);

  it('with responses streamed (holdResponseBody: 0), ejects a member cutting bodies off after the configured run of failures', async () => {
    const { served, truncated, truncating } = await poolWithTruncatingMember(0);
    // Round-robin over three members: m2 gets every third request until its third cut-off body.
    expect(truncated).toBe(3);
    expect(served).toHaveLength(57);
    expect(served.slice(6)).not.toContain('m2');
    await proxy!.waitForLog((line) => line.msg === 'upstream member ejected' && line.member === truncating.url, 5_000);
  }, 20_000);

  it('never holds a response of unknown length: a streamed (chunked) GET reaches the client chunk by chunk', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      setTimeout(() => res.end('data: last\n\n'), 1_000);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      proxy = await spawnProxy({
        listen: { port: 0 },
        services: [{ name: 'events', hosts: ['events.test'], upstreams: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }] }],
      });
      const started = performance.now();
      const response = await request(`${proxy.url}/`, { headers: { host: 'events.test' } });
      const arrivals: { text: string; afterMs: number }[] = [];
      response.body.on('data', (chunk: Buffer) => arrivals.push({ text: String(chunk), afterMs: performance.now() - started }));
      await once(response.body, 'end');
      expect(arrivals.map((arrival) => arrival.text)).toEqual(['data: first\n\n', 'data: last\n\n']);
      // The first event came through long before the upstream sent the last one (1 s later).
      expect(arrivals[0]!.afterMs).toBeLessThan(700);
      expect(arrivals[1]!.afterMs).toBeGreaterThanOrEqual(900);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  }, 20_000);

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
