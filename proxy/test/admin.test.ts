import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

const TOKEN = 'admin-test-token';
let echo: SpawnedEchoUpstream;
let proxy: SpawnedProxy;
let admin: string;

function config(url: string) {
  return { listen: { port: 0 }, admin: { port: 0 }, services: [{ name: 'app', hosts: ['app.test'], upstreams: [{ url }] }] };
}

beforeAll(async () => {
  echo = await spawnEchoUpstream({ name: 'admin-echo' });
  proxy = await spawnProxy(config(echo.url), { env: { LOOKOUT_ADMIN_TOKEN: TOKEN } });
  const line = await proxy.waitForLog((l) => l.msg === 'admin listening');
  expect(line.host).toBe('127.0.0.1');
  admin = `http://127.0.0.1:${line.port as number}`;
});

afterAll(async () => {
  await proxy?.stop();
  await echo?.stop();
});

async function call(path: string, init: { method?: 'GET' | 'POST'; token?: string } = {}) {
  const response = await request(`${admin}${path}`, { method: init.method ?? 'GET', headers: init.token ? { authorization: `Bearer ${init.token}` } : {} });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, any> };
}

describe('admin API', () => {
  it('binds to loopback by default and refuses requests without the right token', async () => {
    expect((await call('/status')).status).toBe(401);
    expect((await call('/status', { token: 'wrong' })).status).toBe(401);
    expect((await call('/reload', { method: 'POST', token: 'wrong' })).body.error.code).toBe('ADMIN_UNAUTHORIZED');
  });

  it('serves Prometheus metrics of the requests it handled, without a token', async () => {
    for (let i = 0; i < 3; i++) await (await request(`${proxy.url}/m`, { headers: { host: 'app.test' } })).body.dump();
    const response = await request(`${admin}/metrics`);
    const text = await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const count = /http_server_request_duration_seconds_count\{[^}]*http_response_status_code="200"[^}]*lookout_service="app"[^}]*\} (\d+)/.exec(text);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(3);
    expect(text).toContain('http_client_open_connections');
    expect(text).toContain('nodejs_eventloop_delay_p99');
  });

  it('reports services and member state', async () => {
    const { status, body } = await call('/status', { token: TOKEN });
    expect(status).toBe(200);
    expect(body.services[0]).toMatchObject({ name: 'app', members: [{ url: echo.url, healthy: true, ejected: false }] });
  });

  it('rejects an invalid config on reload with its problems and keeps serving', async () => {
    proxy.reload('listen: { port: 0 }\nservices:\n  - name: app\n    hosts: [app.test]\n    upstreams: [{ url: "nope" }]\n');
    await proxy.waitForLog((l) => String(l.msg).startsWith('config reload rejected'));
    const { status, body } = await call('/reload', { method: 'POST', token: TOKEN });
    expect(status).toBe(400);
    expect(body.error.code).toBe('CONFIG_INVALID');
    expect(body.error.problems[0]).toMatchObject({ path: 'services[0].upstreams[0].url', line: 5 });
    const response = await request(`${proxy.url}/`, { headers: { host: 'app.test' } });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
  });

  it('applies a valid config on POST /reload', async () => {
    proxy.reload({ ...config(echo.url), services: [{ name: 'renamed', hosts: ['app.test'], upstreams: [{ url: echo.url }] }] });
    await proxy.waitForLog((l) => l.msg === 'config reloaded');
    const { status, body } = await call('/reload', { method: 'POST', token: TOKEN });
    expect(status).toBe(200);
    expect(body.status).toBe('reloaded');
    expect((await call('/status', { token: TOKEN })).body.services[0].name).toBe('renamed');
  });
});
