import { Hono } from 'hono';
import type { EvaluationLoop } from '../engine/evaluation-loop.ts';
import type { UnknownTargetsWatch } from '../engine/watch-unknown-targets.ts';
import type { SloEngine } from '../engine/slo-engine.ts';
import type { Delivery, EngineStore } from '../persistence/engine-store.ts';
import { engineMetricsText, type MetricsSource } from './engine-metrics.ts';

export interface EngineApiOptions {
  readonly engine: SloEngine;
  readonly loop: EvaluationLoop;
  readonly store: EngineStore;
  readonly instance: string;
  readonly metrics?: readonly MetricsSource[];
  /** SLOs naming a service or host no event carries, shown on /health. */
  readonly unknownTargets?: Pick<UnknownTargetsWatch, 'current'>;
  /** Extra routes mounted at `/` (the live dashboard). */
  readonly dashboard?: Hono;
}

const DELIVERY_STATUSES = new Set<Delivery['status']>(['pending', 'delivered', 'dead']);
const MAX_LIMIT = 1_000;

/**
 * The engine's HTTP API:
 * - `GET /health`: 200 while the process serves, with leadership and the last tick's outcome;
 * - `GET /api/slos`, `GET /api/slos/:name`: level, state, budget, burn rates, holds;
 * - `GET /api/slos/:name/history`, `GET /api/transitions`: transitions, newest first (`?limit=`);
 * - `GET /api/deliveries?status=dead`: the outbox, including dead letters;
 * - `GET /metrics`: Prometheus text.
 * Errors are JSON `{ error: { code, message } }`.
 */
export function createEngineApi(options: EngineApiOptions): Hono {
  const { engine, loop, store } = options;
  const app = new Hono();

  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      instance: options.instance,
      leader: engine.leader,
      slos: engine.slos.length,
      lastTick: loop.lastReport && { at: new Date(loop.lastReport.at).toISOString(), evaluated: loop.lastReport.evaluated, failed: loop.lastReport.failed, durationMs: Math.round(loop.lastReport.durationMs) },
      lastError: loop.lastError,
      warnings: (options.unknownTargets?.current() ?? []).map((unknown) => ({ code: 'SLO_UNKNOWN_SERVICE', ...unknown })),
    }),
  );

  app.get('/api/slos', (c) => c.json({ instance: options.instance, leader: engine.leader, slos: engine.views() }));

  app.get('/api/slos/:name', (c) => {
    const view = engine.view(c.req.param('name'));
    return view ? c.json(view) : notFound(c, c.req.param('name'));
  });

  app.get('/api/slos/:name/history', async (c) => {
    const name = c.req.param('name');
    if (!engine.view(name)) return notFound(c, name);
    const limit = parseLimit(c.req.query('limit'));
    if (limit === undefined) return badLimit(c);
    return c.json({ slo: name, transitions: await store.transitions({ slo: name, limit }) });
  });

  app.get('/api/transitions', async (c) => {
    const limit = parseLimit(c.req.query('limit'));
    if (limit === undefined) return badLimit(c);
    return c.json({ transitions: await store.transitions({ limit }) });
  });

  app.get('/api/deliveries', async (c) => {
    const limit = parseLimit(c.req.query('limit'));
    if (limit === undefined) return badLimit(c);
    const status = c.req.query('status');
    if (status !== undefined && !DELIVERY_STATUSES.has(status as Delivery['status'])) {
      return c.json({ error: { code: 'SLO_API_BAD_REQUEST', message: `status must be one of pending, delivered, dead; got "${status}"` } }, 400);
    }
    return c.json({ deliveries: await store.deliveries({ limit, ...(status !== undefined && { status: status as Delivery['status'] }) }) });
  });

  app.get('/metrics', (c) => c.text(engineMetricsText(engine, options.metrics), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));

  if (options.dashboard) app.route('/', options.dashboard);

  app.notFound((c) => c.json({ error: { code: 'SLO_API_NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((error, c) => {
    const code = (error as { code?: string }).code ?? 'SLO_API_FAILED';
    return c.json({ error: { code, message: error.message } }, 503);
  });
  return app;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return 100;
  const limit = Number(text);
  return Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT ? limit : undefined;
}

function badLimit(c: { json: (body: unknown, status: 400) => Response }): Response {
  return c.json({ error: { code: 'SLO_API_BAD_REQUEST', message: `limit must be an integer from 1 to ${MAX_LIMIT}` } }, 400);
}

function notFound(c: { json: (body: unknown, status: 404) => Response }, name: string): Response {
  return c.json({ error: { code: 'SLO_NOT_FOUND', message: `no SLO named "${name}" in the spec` } }, 404);
}
