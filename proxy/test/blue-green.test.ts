import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import type { RequestEvent } from '@lookout/telemetry';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

const TOKEN = 'blue-green-token';
const HOST = 'shop.test';
const SLOW_MS = 1_500;

let echoes: SpawnedEchoUpstream[] = [];
let proxy: SpawnedProxy | undefined;

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  await Promise.all(echoes.map((echo) => echo.stop()));
  echoes = [];
});

/** Two echo upstreams per colour, named `blue-1`, `blue-2`, `green-1`, `green-2`. */
async function startPools(): Promise<{ blue: SpawnedEchoUpstream[]; green: SpawnedEchoUpstream[] }> {
  echoes = await Promise.all(['blue-1', 'blue-2', 'green-1', 'green-2'].map((name) => spawnEchoUpstream({ name })));
  return { blue: echoes.slice(0, 2), green: echoes.slice(2) };
}

function proxyConfig(pools: { blue: SpawnedEchoUpstream[]; green: SpawnedEchoUpstream[] }, active: 'blue' | 'green') {
  return {
    listen: { port: 0 },
    admin: { port: 0 },
    services: [
      {
        name: 'shop',
        hosts: [HOST],
        blueGreen: { active, blue: pools.blue.map((e) => ({ url: e.url })), green: pools.green.map((e) => ({ url: e.url })) },
        healthCheck: { interval: '200ms', timeout: '500ms', healthyThreshold: 1, unhealthyThreshold: 2 },
      },
      { name: 'plain', hosts: ['plain.test'], upstreams: [{ url: pools.blue[0]!.url }] },
    ],
  };
}

async function startProxy(active: 'blue' | 'green' = 'blue') {
  const pools = await startPools();
  proxy = await spawnProxy(proxyConfig(pools, active), { env: { LOOKOUT_ADMIN_TOKEN: TOKEN } });
  const line = await proxy.waitForLog((l) => l.msg === 'admin listening');
  return { pools, admin: `http://127.0.0.1:${line.port as number}` };
}

async function adminCall(admin: string, path: string, init: { method?: 'GET' | 'PUT'; body?: string; token?: string | null } = {}) {
  const token = init.token === undefined ? TOKEN : init.token;
  const response = await request(`${admin}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, any> };
}

/** One client request as the client saw it. */
interface Served {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
  /** The echo instance that answered, or the error. */
  readonly instance: string;
  readonly slow: boolean;
}

/** Steady traffic: `concurrency` loops of sequential GETs until stopped (bounded to 30 s). */
function steadyTraffic(url: string, concurrency = 4) {
  const served: Served[] = [];
  let stopped = false;
  let seq = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    const deadline = Date.now() + 30_000;
    while (!stopped && Date.now() < deadline) served.push(await get(url, `steady-${seq++}`, 0));
  });
  return {
    served,
    async stop(): Promise<Served[]> {
      stopped = true;
      await Promise.all(loops);
      return served;
    },
  };
}

async function get(url: string, id: string, delayMs: number): Promise<Served> {
  const startedAt = performance.now();
  try {
    const response = await request(`${url}/items/${id}`, {
      headers: { host: HOST, 'x-request-id': id, ...(delayMs > 0 ? { 'x-echo-delay-ms': String(delayMs) } : {}) },
    });
    const text = await response.body.text();
    const instance = response.statusCode === 200 ? (JSON.parse(text) as EchoReply).instance : text;
    return { id, startedAt, endedAt: performance.now(), status: response.statusCode, instance, slow: delayMs > 0 };
  } catch (error) {
    return { id, startedAt, endedAt: performance.now(), status: 0, instance: (error as Error).message, slow: delayMs > 0 };
  }
}

/** Starts slow requests and resolves once all of them are in flight to the upstream. */
async function slowRequestsInFlight(url: string, admin: string, color: 'blue' | 'green', label: string, count = 4): Promise<Promise<Served>[]> {
  const slow = Array.from({ length: count }, (_, i) => get(url, `${label}-${i}`, SLOW_MS));
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { body } = await adminCall(admin, '/status');
    const members = (body.services[0].members as { color: string; active: number }[]).filter((m) => m.color === color);
    if (members.reduce((sum, m) => sum + m.active, 0) >= count) return slow;
    if (Date.now() > deadline) throw new Error(`slow requests not in flight on ${color}: ${JSON.stringify(members)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every request event the proxy stored, by request id (read after the proxy stopped: SIGTERM flushes). */
function storedEvents(stopped: SpawnedProxy): Map<string, RequestEvent> {
  const events = stopped.storedEvents();
  return new Map(events.filter((event) => event.http.request.id !== undefined).map((event) => [event.http.request.id!, event]));
}

function colorOf(instance: string): string {
  return instance.split('-')[0]!;
}

describe('blue/green', () => {
  it('switches and rolls back under steady traffic: no request fails, in-flight requests finish on their colour, events record it', async () => {
    const { admin } = await startProxy('blue');
    const url = proxy!.url;
    const traffic = steadyTraffic(url);
    const switches: { to: string; at: number }[] = [];
    let slowBlue: Served[] = [];
    let slowGreen: Served[] = [];
    try {
      await waitUntil(() => traffic.served.length > 40, 'traffic flowing');

      const slowOnBlue = await slowRequestsInFlight(url, admin, 'blue', 'slow-blue');
      const toGreen = await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"green"}' });
      switches.push({ to: 'green', at: performance.now() });
      expect(toGreen.status).toBe(200);
      expect(toGreen.body).toMatchObject({ service: 'shop', changed: true, forced: false, blueGreen: { active: 'green', configured: 'blue', source: 'admin', previous: 'blue' } });
      let mark = traffic.served.length;
      await waitUntil(() => traffic.served.length > mark + 60, 'traffic after the switch');
      slowBlue = await Promise.all(slowOnBlue);

      const status = await adminCall(admin, '/status');
      expect(status.body.services[0].blueGreen).toMatchObject({ active: 'green', pools: { blue: { members: 2, available: 2, healthChecked: true }, green: { members: 2, available: 2 } } });

      // Rollback: the same switch, back to blue.
      const slowOnGreen = await slowRequestsInFlight(url, admin, 'green', 'slow-green');
      const toBlue = await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"blue"}' });
      switches.push({ to: 'blue', at: performance.now() });
      expect(toBlue.body.blueGreen).toMatchObject({ active: 'blue', previous: 'green' });
      mark = traffic.served.length;
      await waitUntil(() => traffic.served.length > mark + 60, 'traffic after the rollback');
      slowGreen = await Promise.all(slowOnGreen);
    } finally {
      await traffic.stop();
    }
    const served = traffic.served;
    const failed = [...served, ...slowBlue, ...slowGreen].filter((s) => s.status !== 200);
    expect(failed).toEqual([]);

    // In flight at the switch: finished, on the colour they started on, after the full delay.
    expect(slowBlue.map((s) => colorOf(s.instance))).toEqual(['blue', 'blue', 'blue', 'blue']);
    expect(slowGreen.map((s) => colorOf(s.instance))).toEqual(['green', 'green', 'green', 'green']);
    for (const s of [...slowBlue, ...slowGreen]) expect(s.endedAt - s.startedAt).toBeGreaterThanOrEqual(SLOW_MS);

    // Started after the switch answered: the new colour, every one of them.
    const toGreen = switches[0]!;
    const toBlue = switches[1]!;
    const afterGreen = served.filter((s) => s.startedAt > toGreen.at && s.endedAt < toBlue.at);
    const afterBlue = served.filter((s) => s.startedAt > toBlue.at);
    const beforeGreen = served.filter((s) => s.endedAt < toGreen.at);
    expect(afterGreen.length).toBeGreaterThan(50);
    expect(afterBlue.length).toBeGreaterThan(50);
    expect(new Set(beforeGreen.map((s) => colorOf(s.instance)))).toEqual(new Set(['blue']));
    expect(new Set(afterGreen.map((s) => colorOf(s.instance)))).toEqual(new Set(['green']));
    expect(new Set(afterBlue.map((s) => colorOf(s.instance)))).toEqual(new Set(['blue']));
    // Both members of each colour took traffic.
    expect(new Set(afterGreen.map((s) => s.instance))).toEqual(new Set(['green-1', 'green-2']));

    // The events prove it: each records the colour of the instance that answered.
    const stopped = proxy!;
    await stopped.stop();
    const events = storedEvents(stopped);
    const all = [...served, ...slowBlue, ...slowGreen];
    const mismatched = all.filter((s) => events.get(s.id)?.lookout.upstream?.color !== colorOf(s.instance));
    expect(mismatched.map((s) => `${s.id}: served by ${s.instance}, event says ${events.get(s.id)?.lookout.upstream?.color ?? 'no event'}`)).toEqual([]);
    expect(events.get('slow-blue-0')!.lookout.upstream).toMatchObject({ pool: 'shop', color: 'blue' });
    console.log(`blue/green switch: ${all.length} requests, 0 failed; ${afterGreen.length} after the switch all green, ${afterBlue.length} after the rollback all blue`);
  }, 60_000);

  it('switches by config reload under steady traffic; a reload that keeps the file’s colour keeps an admin switch', async () => {
    const { pools, admin } = await startProxy('blue');
    const url = proxy!.url;
    const traffic = steadyTraffic(url);
    let reloadedAt = 0;
    let slow: Served[] = [];
    try {
      await waitUntil(() => traffic.served.length > 40, 'traffic flowing');
      const slowOnBlue = await slowRequestsInFlight(url, admin, 'blue', 'slow-reload');
      const reloads = proxy!.logs.filter((l) => l.msg === 'config reloaded').length;
      proxy!.reload(proxyConfig(pools, 'green'));
      await waitUntil(() => proxy!.logs.filter((l) => l.msg === 'config reloaded').length > reloads, 'config reloaded');
      reloadedAt = performance.now();
      expect(proxy!.logs.some((l) => String(l.msg).startsWith('blue/green switch by config reload') && l.color === 'green')).toBe(true);
      const mark = traffic.served.length;
      await waitUntil(() => traffic.served.length > mark + 60, 'traffic after the reload');
      slow = await Promise.all(slowOnBlue);
    } finally {
      await traffic.stop();
    }
    expect([...traffic.served, ...slow].filter((s) => s.status !== 200)).toEqual([]);
    expect(slow.map((s) => colorOf(s.instance))).toEqual(['blue', 'blue', 'blue', 'blue']);
    const after = traffic.served.filter((s) => s.startedAt > reloadedAt);
    expect(after.length).toBeGreaterThan(50);
    expect(new Set(after.map((s) => colorOf(s.instance)))).toEqual(new Set(['green']));

    // An admin rollback survives a reload of the same file (still naming green)...
    await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"blue"}' });
    let reloads = proxy!.logs.filter((l) => l.msg === 'config reloaded').length;
    proxy!.reload(proxyConfig(pools, 'green'));
    await waitUntil(() => proxy!.logs.filter((l) => l.msg === 'config reloaded').length > reloads, 'config reloaded');
    expect((await adminCall(admin, '/status')).body.services[0].blueGreen).toMatchObject({ active: 'blue', configured: 'green', source: 'admin' });
    expect(colorOf((await get(url, 'after-same-reload', 0)).instance)).toBe('blue');
    // ...and a file that names another colour wins.
    reloads = proxy!.logs.filter((l) => l.msg === 'config reloaded').length;
    proxy!.reload(proxyConfig(pools, 'blue'));
    await waitUntil(() => proxy!.logs.filter((l) => l.msg === 'config reloaded').length > reloads, 'config reloaded');
    expect((await adminCall(admin, '/status')).body.services[0].blueGreen).toMatchObject({ active: 'blue', configured: 'blue', source: 'config' });
  }, 60_000);

  it('shows an unhealthy idle pool, refuses to switch to it unless forced, and answers bad switch requests with stable codes', async () => {
    const { pools, admin } = await startProxy('blue');
    await Promise.all(pools.green.map((echo) => echo.kill('SIGKILL')));
    for (const echo of pools.green) await proxy!.waitForLog((l) => l.msg === 'upstream member unhealthy' && l.member === echo.url && l.color === 'green');

    const status = await adminCall(admin, '/services/shop/active-color');
    expect(status.body).toMatchObject({ service: 'shop', blueGreen: { active: 'blue', pools: { green: { members: 2, available: 0, healthChecked: true } } } });
    const metrics = await (await request(`${admin}/metrics`)).body.text();
    expect(metrics).toMatch(/lookout_upstream_member_healthy\{[^}]*lookout_service="shop"[^}]*lookout_upstream_color="green"[^}]*\} 0/);
    expect(metrics).toMatch(/lookout_upstream_pool_active\{[^}]*lookout_service="shop"[^}]*lookout_upstream_color="blue"[^}]*\} 1/);

    const refused = await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"green"}' });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'SWITCH_POOL_UNAVAILABLE' } } });
    expect(refused.body.error.message).toContain('green pool');
    expect(colorOf((await get(proxy!.url, 'still-blue', 0)).instance)).toBe('blue');

    const forced = await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"green","force":true}' });
    expect(forced).toMatchObject({ status: 200, body: { forced: true, blueGreen: { active: 'green' } } });
    const broken = await get(proxy!.url, 'on-dead-green', 0);
    expect(broken.status).toBe(503);
    expect(broken.instance).toContain('green pool');
    const rolledBack = await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"blue"}' });
    expect(rolledBack.status).toBe(200);
    expect((await get(proxy!.url, 'rolled-back', 0)).status).toBe(200);

    expect((await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"green"}', token: null })).status).toBe(401);
    expect(await adminCall(admin, '/services/nope/active-color', { method: 'PUT', body: '{"color":"green"}' })).toMatchObject({ status: 404, body: { error: { code: 'SWITCH_UNKNOWN_SERVICE' } } });
    expect(await adminCall(admin, '/services/plain/active-color', { method: 'PUT', body: '{"color":"green"}' })).toMatchObject({ status: 409, body: { error: { code: 'SWITCH_NOT_BLUE_GREEN' } } });
    expect(await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"red"}' })).toMatchObject({
      status: 400,
      body: { error: { code: 'ADMIN_BAD_REQUEST', message: 'expected "color": "blue" or "green"' } },
    });
    expect(await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: 'green' })).toMatchObject({ status: 400, body: { error: { code: 'ADMIN_BAD_REQUEST' } } });
  }, 60_000);

  it('with several workers, a switch made through one worker reaches every worker', async () => {
    const pools = await startPools();
    proxy = await spawnProxy({ ...proxyConfig(pools, 'blue'), workers: 2 }, { env: { LOOKOUT_ADMIN_TOKEN: TOKEN } });
    const line = await proxy.waitForLog((l) => l.msg === 'admin listening');
    const admin = `http://127.0.0.1:${line.port as number}`;
    await waitUntil(() => proxy!.logs.filter((l) => l.msg === 'listening').length >= 2, 'both workers listening');
    const switched = await adminCall(admin, '/services/shop/active-color', { method: 'PUT', body: '{"color":"green"}' });
    expect(switched.status).toBe(200);
    const switchedWorkers = () => new Set(proxy!.logs.filter((l) => String(l.msg).startsWith('blue/green switch:')).map((l) => l.worker));
    await waitUntil(() => switchedWorkers().size === 2, 'the switch logged by both workers');
    // Fresh connections, so the cluster spreads them over both workers.
    const colors = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const response = await request(`${proxy.url}/`, { headers: { host: HOST, connection: 'close' } });
      colors.add(colorOf(((await response.body.json()) as EchoReply).instance));
    }
    expect(colors).toEqual(new Set(['green']));
    for (let i = 0; i < 6; i++) expect((await adminCall(admin, '/services/shop/active-color')).body.blueGreen.active).toBe('green');
  }, 60_000);
});
