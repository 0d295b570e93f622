import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

let echoes: SpawnedEchoUpstream[] = [];
let proxy: SpawnedProxy | undefined;

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  await Promise.all(echoes.map((e) => e.stop()));
  echoes = [];
});

async function get(host: string, path = '/', headers: Record<string, string> = {}) {
  const response = await request(`${proxy!.url}${path}`, { headers: { host, ...headers } });
  const text = await response.body.text();
  return { status: response.statusCode, json: () => JSON.parse(text) as EchoReply & { status?: string } };
}

function config(upstreamUrl: string, extra: object = {}) {
  return { listen: { port: 0 }, services: [{ name: 'app', hosts: ['app.test'], upstreams: [{ url: upstreamUrl }] }], ...extra };
}

describe('config reload', () => {
  it('swaps to a valid new config on SIGHUP', async () => {
    echoes = await Promise.all(['old', 'new'].map((name) => spawnEchoUpstream({ name })));
    proxy = await spawnProxy(config(echoes[0]!.url));
    expect((await get('app.test')).json().instance).toBe('old');
    proxy.reload(config(echoes[1]!.url));
    await proxy.waitForLog((line) => line.msg === 'config reloaded');
    expect((await get('app.test')).json().instance).toBe('new');
  });

  const invalid: [string, (url: string) => string, RegExp][] = [
    ['bad YAML', () => 'listen: { port: 0\nservices: [', /proxy\.yaml:\d+: .*not valid YAML/],
    [
      'an unknown balancer',
      (url) => `listen: { port: 0 }\nservices:\n  - name: app\n    hosts: [app.test]\n    balancer: fastest\n    upstreams: [{ url: "${url}" }]\n`,
      /proxy\.yaml:5: services\[0\]\.balancer(\.type)?: .*"round-robin".*"least-request"/,
    ],
    [
      'a bad upstream URL',
      () => 'listen: { port: 0 }\nservices:\n  - name: app\n    hosts: [app.test]\n    upstreams: [{ url: "ftp://nowhere/x" }]\n',
      /proxy\.yaml:5: services\[0\]\.upstreams\[0\]\.url: expected an upstream origin such as "http:\/\/127\.0\.0\.1:9001"/,
    ],
  ];
  for (const [what, text, expected] of invalid) {
    it(`rejects ${what} with file, line, path and expectation, and keeps serving the old config`, async () => {
      echoes = [await spawnEchoUpstream({ name: 'old' })];
      proxy = await spawnProxy(config(echoes[0]!.url));
      proxy.reload(text(echoes[0]!.url));
      const line = await proxy.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('config reload rejected'));
      expect(line.level).toBe('error');
      expect(line.msg).toMatch(expected);
      expect(String(line.msg)).toContain(proxy.configFile);
      const response = await get('app.test');
      expect(response.status).toBe(200);
      expect(response.json().instance).toBe('old');
    });
  }
});

describe('graceful shutdown', () => {
  it('turns /ready to 503 first, finishes in-flight requests and answers no 5xx during SIGTERM', async () => {
    echoes = [await spawnEchoUpstream({ name: 'app' })];
    proxy = await spawnProxy(config(echoes[0]!.url, { drain: { delay: '700ms', timeout: '10s' } }));
    expect((await get('app.test', '/ready')).status).toBe(200);
    const inFlight = Array.from({ length: 20 }, () => get('app.test', '/', { 'x-echo-delay-ms': '1200' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exit = proxy.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await get('app.test', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.json().status).toBe('draining');
    // Still served during the drain delay, on new requests too.
    expect((await get('app.test')).status).toBe(200);
    const statuses = (await Promise.all(inFlight)).map((r) => r.status);
    expect(statuses).toEqual(Array(20).fill(200));
    expect(await exit).toBe(0);
  }, 20_000);
});

describe('workers', () => {
  it('serves from several worker processes and reloads them all', async () => {
    echoes = await Promise.all(['old', 'new'].map((name) => spawnEchoUpstream({ name })));
    proxy = await spawnProxy(config(echoes[0]!.url, { workers: 2 }));
    await proxy.waitForLog((line) => line.msg === 'listening' && line.worker === 1);
    await proxy.waitForLog((line) => line.msg === 'listening' && line.worker === 2);
    for (let i = 0; i < 10; i++) expect((await get('app.test')).json().instance).toBe('old');
    proxy.reload(config(echoes[1]!.url, { workers: 2 }));
    await proxy.waitForLog((line) => line.msg === 'config reloaded' && line.worker === 1);
    await proxy.waitForLog((line) => line.msg === 'config reloaded' && line.worker === 2);
    for (let i = 0; i < 10; i++) expect((await get('app.test')).json().instance).toBe('new');
    expect(await proxy.stop()).toBe(0);
  }, 20_000);
});
