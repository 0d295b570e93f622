import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createDashboardRoutes } from '../src/dashboard/dashboard-routes.ts';
import { SqliteTrafficSource } from '../src/dashboard/sqlite-traffic-source.ts';
import type { TrafficSource } from '../src/dashboard/traffic-source.ts';
import { seededTrafficEvents } from './dashboard-traffic-fixture.ts';
import { writeWithProxySink } from './event-source-seeding.ts';

const UPLOT_VERSION = (JSON.parse(readFileSync(new URL('../node_modules/uplot/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'lookout-dashboard-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createDashboardRoutes: the page and its files', () => {
  const app = createDashboardRoutes({ traffic: new SqliteTrafficSource({ path: join(dir, 'none.sqlite') }) });

  test('GET / is the page, revalidated on each load, with a policy allowing only its own files', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain(`assets/uplot-${UPLOT_VERSION}/uPlot.iife.min.js`);
    expect(html).not.toContain('{{');
  });

  test('every file the page and its modules refer to is served with its content type', async () => {
    const html = await (await app.request('/')).text();
    const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    const modules = ['assets/main.js'];
    for (let i = 0; i < modules.length; i++) {
      const text = await (await app.request(`/${modules[i]}`)).text();
      for (const match of text.matchAll(/from '\.\/([^']+)'/g)) if (!modules.includes(`assets/${match[1]}`)) modules.push(`assets/${match[1]}`);
    }
    expect(modules.length).toBeGreaterThan(3);
    const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
    for (const path of new Set([...referenced, ...modules])) {
      const response = await app.request(`/${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(types[path.split('.').at(-1)!]);
      expect((await response.arrayBuffer()).byteLength, path).toBeGreaterThan(0);
    }
  });

  test('uPlot is cached for good under its versioned path; the page files answer 304 to their ETag', async () => {
    const uplot = await app.request(`/assets/uplot-${UPLOT_VERSION}/uPlot.iife.min.js`);
    expect(uplot.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await uplot.text()).toContain('uPlot');

    const first = await app.request('/assets/main.js');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.request('/assets/main.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  test('an unknown file is a 404 JSON error naming it', async () => {
    const response = await app.request('/assets/../../package.json');
    expect(response.status).toBe(404);
    const missing = await app.request('/assets/nothing.js');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'SLO_API_NOT_FOUND', message: 'no dashboard file /assets/nothing.js' } });
  });
});

describe('createDashboardRoutes: GET /api/traffic', () => {
  test('a store not created yet: 200 with no data and the reason', async () => {
    const app = createDashboardRoutes({ traffic: new SqliteTrafficSource({ path: join(dir, 'missing.sqlite') }) });
    const response = await app.request('/api/traffic?range=15m&step=10s');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { total: number; time: unknown[]; store: { state: string } };
    expect(body).toMatchObject({ total: 0, time: [], store: { state: 'not-initialised' } });
  });

  test('data for the range asked, in step-aligned buckets', async () => {
    const path = join(dir, 'events.sqlite');
    const now = Date.now();
    await writeWithProxySink(path, seededTrafficEvents(7, { count: 300, from: Math.floor(now / 60_000) * 60_000 - 10 * 60_000, minutes: 10 }));
    const app = createDashboardRoutes({ traffic: new SqliteTrafficSource({ path }), now: () => now });
    const body = (await (await app.request('/api/traffic?range=15m&step=30s')).json()) as { total: number; time: number[]; stepMs: number; rate: unknown[] };
    expect(body.stepMs).toBe(30_000);
    expect(body.time).toHaveLength(30);
    expect(body.time.every((start) => start % 30_000 === 0)).toBe(true);
    expect(body.total).toBeGreaterThan(200);
    expect(body.rate).toHaveLength(1);
  });

  test('a bad parameter: 400 SLO_API_BAD_REQUEST saying what is expected', async () => {
    const app = createDashboardRoutes({ traffic: new SqliteTrafficSource({ path: join(dir, 'missing.sqlite') }) });
    const response = await app.request('/api/traffic?range=forever');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'SLO_API_BAD_REQUEST', message: expect.stringContaining('range must be a duration') } });
  });

  test('a store that cannot be read: 503 with its code, and the next request asks the store again', async () => {
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(path, 'not a database '.repeat(100));
    const real = new SqliteTrafficSource({ path });
    let reads = 0;
    const counted: TrafficSource = { kind: real.kind, location: real.location, traffic: (query) => (reads++, real.traffic(query)), close: () => real.close() };
    const app = createDashboardRoutes({ traffic: counted });
    const response = await app.request('/api/traffic');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: { code: 'SLO_STORE_UNREACHABLE', message: expect.stringContaining(path) } });
    await app.request('/api/traffic');
    expect(reads).toBe(2);
  });

  test('identical queries within the reuse interval share one store read', async () => {
    const real = new SqliteTrafficSource({ path: join(dir, 'events.sqlite') });
    let reads = 0;
    const counted: TrafficSource = { kind: real.kind, location: real.location, traffic: (query) => (reads++, real.traffic(query)), close: () => real.close() };
    let now = Date.now();
    const app = createDashboardRoutes({ traffic: counted, reuseMs: 2_000, now: () => now });
    await Promise.all([app.request('/api/traffic?range=1h'), app.request('/api/traffic?range=1h'), app.request('/api/traffic?range=1h')]);
    expect(reads).toBe(1);
    await app.request('/api/traffic?range=5m');
    expect(reads).toBe(2);
    now += 2_000;
    await app.request('/api/traffic?range=5m');
    expect(reads).toBe(3);
  });
});
