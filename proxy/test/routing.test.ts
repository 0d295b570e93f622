import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

let echoes: SpawnedEchoUpstream[] = [];
let proxy: SpawnedProxy;

beforeAll(async () => {
  echoes = await Promise.all(['a1', 'a2', 'a3', 'b1', 's1', 's2'].map((name) => spawnEchoUpstream({ name })));
  const [a1, a2, a3, b1, s1, s2] = echoes;
  proxy = await spawnProxy({
    listen: { host: '127.0.0.1', port: 0 },
    services: [
      { name: 'svc-a', hosts: ['a.example.test'], balancer: 'round-robin', upstreams: [a1, a2, a3].map((e) => ({ url: e!.url })) },
      { name: 'svc-b', hosts: ['b.example.test'], upstreams: [{ url: b1!.url }] },
      { name: 'svc-b-api', hosts: ['b.example.test'], pathPrefix: '/api', stripPrefix: true, upstreams: [{ url: a1!.url }] },
      { name: 'svc-sticky', hosts: ['sticky.example.test'], balancer: 'sticky-cookie', upstreams: [s1, s2].map((e) => ({ url: e!.url })) },
    ],
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(echoes.map((e) => e.stop()));
});

async function send(host: string, path = '/', init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}) {
  const response = await request(`${proxy.url}${path}`, {
    method: (init.method ?? 'GET') as 'GET',
    headers: { host, ...init.headers },
    body: init.body ?? null,
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, bytes, json: () => JSON.parse(bytes.toString()) as EchoReply & { error: { code: string } } };
}

describe('routing', () => {
  it('routes each virtual host to its own pool', async () => {
    const a = await send('a.example.test');
    const b = await send('B.Example.Test:8080', '/x');
    expect(a.status).toBe(200);
    expect(['a1', 'a2', 'a3']).toContain(a.json().instance);
    expect(b.json().instance).toBe('b1');
    expect(b.json().path).toBe('/x');
  });

  it('routes the longest matching path prefix and strips it when configured', async () => {
    const api = await send('b.example.test', '/api/users?id=7');
    expect(api.json().instance).toBe('a1');
    expect(api.json().path).toBe('/users');
    expect(api.json().query).toEqual({ id: '7' });
    const notApi = await send('b.example.test', '/apix');
    expect(notApi.json().instance).toBe('b1');
  });

  it('answers an unknown host with a 404 JSON error carrying a stable code', async () => {
    const response = await send('nobody.example.test', '/');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json().error.code).toBe('PROXY_NO_ROUTE');
  });

  it('answers /health with 200 JSON on any host', async () => {
    const response = await send('whatever.example.test', '/health');
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });
});

describe('balancing', () => {
  it('spreads round-robin requests evenly over the members', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const instance = (await send('a.example.test')).json().instance;
      counts[instance] = (counts[instance] ?? 0) + 1;
    }
    expect(counts).toEqual({ a1: 10, a2: 10, a3: 10 });
  });

  it('keeps a client with the affinity cookie on one member', async () => {
    const first = await send('sticky.example.test');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/^lookout_affinity=/);
    const cookie = setCookie.split(';')[0]!;
    const instances = new Set<string>();
    for (let i = 0; i < 10; i++) instances.add((await send('sticky.example.test', '/', { headers: { cookie } })).json().instance);
    expect(instances).toEqual(new Set([first.json().instance]));
  });
});

describe('forwarding', () => {
  const sizes = [0, 1, 64 * 1024 + 3, 5 * 1024 * 1024, 50 * 1024 * 1024];
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    it(`forwards ${method} bodies from 0 bytes to 50 MiB byte-exact both ways`, async () => {
      for (const size of sizes) {
        const body = randomBytes(size);
        const response = await send('b.example.test', '/upload', { method, body, headers: { 'x-echo-mode': 'raw', 'content-type': 'application/octet-stream' } });
        expect(response.status).toBe(200);
        expect(response.bytes.length).toBe(size);
        expect(createHash('sha256').update(response.bytes).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
      }
    }, 120_000);
  }

  it('forwards GET with headers unchanged except hop-by-hop ones', async () => {
    // node:http, because undici refuses to send hop-by-hop headers itself.
    const echoed = await new Promise<EchoReply['headers']>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/h?q=1`, {
        headers: { host: 'b.example.test', 'x-custom': 'Value', connection: 'keep-alive, x-secret', 'x-secret': 'hidden', 'keep-alive': 'timeout=5', 'user-agent': 'test-agent', te: 'trailers' },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve((JSON.parse(text) as EchoReply).headers));
      });
      req.on('error', reject);
      req.end();
    });
    expect(echoed.te).toBeUndefined();
    expect(echoed['x-custom']).toBe('Value');
    expect(echoed['user-agent']).toBe('test-agent');
    expect(echoed.host).toBe('b.example.test');
    expect(echoed['x-secret']).toBeUndefined();
    expect(echoed['keep-alive']).toBeUndefined();
    expect(echoed['x-forwarded-for']).toBe('127.0.0.1');
    expect(echoed['x-forwarded-proto']).toBe('http');
    expect(echoed['x-forwarded-host']).toBe('b.example.test');
    expect(echoed.forwarded).toBe('for=127.0.0.1;host=b.example.test;proto=http');
  });

  it('appends to an existing X-Forwarded-For chain', async () => {
    const response = await send('b.example.test', '/', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(response.json().headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
  });

  it('passes upstream status codes and response headers through', async () => {
    const response = await send('b.example.test', '/', { headers: { 'x-echo-status': '418' } });
    expect(response.status).toBe(418);
    expect(response.headers['x-echo-instance']).toBe('b1');
  });
});
