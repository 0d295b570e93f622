// A real stack for the live page: echo upstreams and the proxy as child processes writing the
// embedded SQLite store, a real SloEngine over that store, and the engine's HTTP API with the
// dashboard mounted, served on an ephemeral loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { Logger } from '@lookout/log';
import { request } from 'undici';
import { spawnProxy, type SpawnedProxy } from '../../proxy/test/spawn-proxy.ts';
import { createEngineApi } from '../src/api/engine-api.ts';
import { createDashboardRoutes } from '../src/dashboard/dashboard-routes.ts';
import { SqliteTrafficSource } from '../src/dashboard/sqlite-traffic-source.ts';
import { countBudgetWindows } from '../src/engine/budget-windows.ts';
import { EvaluationLoop } from '../src/engine/evaluation-loop.ts';
import { SloEngine } from '../src/engine/slo-engine.ts';
import { SqliteEventSource } from '../src/events/sqlite-event-source.ts';
import { SqliteEngineStore } from '../src/persistence/sqlite-engine-store.ts';
import { SqliteRollupStore } from '../src/rollups/sqlite-rollup-store.ts';
import { WindowCounter } from '../src/rollups/window-counter.ts';
import { parseSloSpecText } from '../src/spec/load-slo-spec.ts';

export const SHOP_HOST = 'shop.test';

/**
 * SLOs whose states the traffic below decides exactly (holds of 0 s move at the first tick):
 * - api-availability: no failure under /api → GREEN;
 * - checkout-availability: 12 of 100 fail, budget 14 % → level 0.857 → ORANGE;
 * - shop-availability: 12 of 350 fail, budget 0.5 % → level 6.9 → RED;
 * - slow-latency: every /slow request takes 40 ms > 20 ms, level 2, but a 10 min hold → GREEN, RED pending;
 * - ghost-availability: a service without traffic → NODATA.
 */
export const LIVE_SLOS = `
slos:
  - name: api-availability
    description: Catalogue reads answer.
    service: shop
    pathPrefix: /api
    indicator: { type: availability }
    objective: 0.99
    window: 1h
    hold: 0s
  - name: checkout-availability
    description: Checkout answers.
    service: shop
    pathPrefix: /checkout
    indicator: { type: availability }
    objective: 0.86
    window: 1h
    hold: 0s
  - name: shop-availability
    description: The whole shop answers.
    service: shop
    indicator: { type: availability }
    objective: 0.995
    window: 1h
    hold: 0s
  - name: slow-latency
    description: Slow reports within 20 ms for half of them.
    service: shop
    pathPrefix: /slow
    indicator: { type: latency, thresholdMs: 20 }
    objective: 0.5
    window: 1h
    hold: 10m
  - name: ghost-availability
    description: A service nobody calls yet.
    service: ghost
    indicator: { type: availability }
    objective: 0.999
    window: 1h
    hold: 0s
`;

/** One request of the traffic. */
interface PlannedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly host: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** 355 requests: 200 catalogue reads, 30 orders with a 1 KiB body, 100 checkouts (12 answered 503), 20 slow reports, 5 for an unknown host. */
export function plannedTraffic(): PlannedRequest[] {
  const plan: PlannedRequest[] = [];
  for (let i = 0; i < 200; i++) plan.push({ method: 'GET', path: `/api/items/${i % 7}`, host: SHOP_HOST });
  for (let i = 0; i < 30; i++) plan.push({ method: 'POST', path: '/api/orders', host: SHOP_HOST, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(1_000) }) });
  for (let i = 0; i < 100; i++) plan.push({ method: 'GET', path: '/checkout', host: SHOP_HOST, ...(i % 25 < 3 && { headers: { 'x-echo-status': '503' } }) });
  for (let i = 0; i < 20; i++) plan.push({ method: 'GET', path: '/slow/report', host: SHOP_HOST, headers: { 'x-echo-delay-ms': '40' } });
  for (let i = 0; i < 5; i++) plan.push({ method: 'GET', path: '/nowhere', host: 'unknown.test' });
  return plan;
}

/**
 * Sends `plan` through the proxy at an even pace over `durationMs` (so the rate chart spans many
 * buckets), in an interleaved order (failures spread over the time), at most `concurrency` at
 * once. Resolves with the statuses received.
 */
export async function sendTraffic(proxyUrl: string, plan: readonly PlannedRequest[], options: { durationMs: number; concurrency: number }): Promise<number[]> {
  // A stride coprime with the length visits every request once, mixing the kinds.
  let stride = 101;
  while (gcd(stride, plan.length) !== 1) stride++;
  const ordered = plan.map((_, i) => plan[(i * stride) % plan.length]!);
  const statuses: number[] = [];
  const started = Date.now();
  const interval = options.durationMs / ordered.length;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < ordered.length) {
        const index = next++;
        const wait = started + index * interval - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const planned = ordered[index]!;
        const response = await request(`${proxyUrl}${planned.path}`, {
          method: planned.method,
          headers: { host: planned.host, ...planned.headers },
          ...(planned.body !== undefined && { body: planned.body }),
        });
        await response.body.dump();
        statuses.push(response.statusCode);
      }
    }),
  );
  return statuses;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The proxy with two echo upstreams, writing its embedded store in `dir`. */
export interface ProxyStack {
  readonly proxy: SpawnedProxy;
  readonly upstreams: readonly SpawnedEchoUpstream[];
  readonly eventsFile: string;
  stop(): Promise<void>;
}

export async function startProxyStack(dir: string): Promise<ProxyStack> {
  const eventsFile = join(dir, 'telemetry.sqlite');
  const upstreams = await Promise.all([spawnEchoUpstream({ name: 'echo-a' }), spawnEchoUpstream({ name: 'echo-b' })]);
  const proxy = await spawnProxy({
    listen: { host: '127.0.0.1', port: 0 },
    services: [{ name: 'shop', hosts: [SHOP_HOST], balancer: 'round-robin', upstreams: upstreams.map((upstream) => ({ url: upstream.url })) }],
    telemetry: { sink: 'embedded', embedded: { path: eventsFile } },
  });
  return {
    proxy,
    upstreams,
    eventsFile,
    async stop() {
      await proxy.stop();
      await Promise.all(upstreams.map((upstream) => upstream.stop()));
    },
  };
}

/** The engine service over an events file: SloEngine + loop + API with the dashboard, listening on 127.0.0.1. */
export interface EngineServer {
  readonly url: string;
  readonly engine: SloEngine;
  stop(): Promise<void>;
}

export async function startEngineServer(options: { eventsFile: string; stateDir: string; slos: string; tickMs?: number }): Promise<EngineServer> {
  const log = new Logger({ service: 'slo-engine-test' }, 'fatal');
  const source = new SqliteEventSource({ path: options.eventsFile });
  const statePath = join(options.stateDir, 'slo-engine.sqlite');
  const store = new SqliteEngineStore({ path: statePath });
  const rollups = new SqliteRollupStore({ path: statePath });
  const counter = new WindowCounter({ source, rollups });
  const traffic = new SqliteTrafficSource({ path: options.eventsFile });
  const engine = new SloEngine({
    slos: parseSloSpecText(options.slos, 'slos.yaml'),
    source,
    countBudget: (slo, now) => countBudgetWindows(counter, slo, now),
    store,
    instance: 'slo-engine-0',
    leaseTtlMs: 30_000,
    links: { baseUrl: 'http://127.0.0.1', dashboard: 'http://127.0.0.1/' },
    planDeliveries: () => [],
    log,
  });
  const loop = new EvaluationLoop(engine, options.tickMs ?? 1_000, log);
  const api = createEngineApi({ engine, loop, store, instance: 'slo-engine-0', dashboard: createDashboardRoutes({ traffic }) });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: api.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const port = (server.address() as { port: number }).port;
  loop.start();
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    async stop() {
      await loop.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await traffic.close();
      await source.close();
      await store.close();
      await rollups.close();
    },
  };
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
