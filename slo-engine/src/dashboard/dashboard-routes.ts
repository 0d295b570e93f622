import { Hono, type Context } from 'hono';
import { loadDashboardAssets, type DashboardAsset } from './dashboard-assets.ts';
import { isTrafficQueryProblem, parseTrafficQuery } from './traffic-query.ts';
import type { TrafficSnapshot, TrafficSource } from './traffic-source.ts';

/** Options of {@link createDashboardRoutes}. */
export interface DashboardRoutesOptions {
  /** Where the traffic charts read the proxy's events. */
  readonly traffic: TrafficSource;
  /**
   * Identical traffic queries within this many ms share one store read (several open pages, or
   * one polling page, cost the store one query per interval). Default 2000.
   */
  readonly reuseMs?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/**
 * The page's policy: its own scripts and styles only, nothing from elsewhere. Inline styles are
 * allowed because uPlot positions its elements with them.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The built-in live dashboard, mounted at `/` by `createEngineApi({ dashboard })`:
 * - `GET /`: the page (HTML, CSS, plain ES modules, uPlot), which polls `api/slos`,
 *   `api/transitions` and `api/traffic` every few seconds;
 * - `GET /assets/...`: its files, with content types, ETags and cache headers;
 * - `GET /api/traffic?range=15m&step=10s`: the traffic charts' data ({@link TrafficSnapshot});
 *   `step` may be left out (about 90 buckets). A bad parameter is 400 `SLO_API_BAD_REQUEST`;
 *   a store that cannot be read is 503 with its code (`SLO_STORE_UNREACHABLE`, ...), which the
 *   page shows as a banner. A store not created yet is a 200 snapshot without data.
 *
 * @example
 * const traffic = new SqliteTrafficSource({ path: 'data/telemetry.sqlite' });
 * createEngineApi({ engine, loop, store, instance, dashboard: createDashboardRoutes({ traffic }) });
 */
export function createDashboardRoutes(options: DashboardRoutesOptions): Hono {
  const assets = loadDashboardAssets();
  const now = options.now ?? Date.now;
  const reuseMs = options.reuseMs ?? 2_000;
  const app = new Hono();

  const serve = (c: Context, file: DashboardAsset): Response => {
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': file.cacheControl,
      etag: file.etag,
      'x-content-type-options': 'nosniff',
    };
    if (file.contentType.startsWith('text/html')) {
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
      headers['referrer-policy'] = 'no-referrer';
    }
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(file.body), 200, headers);
  };

  const page = assets.files.get('index.html')!;
  app.get('/', (c) => serve(c, page));
  app.get('/index.html', (c) => serve(c, page));
  app.get('/assets/*', (c) => {
    const file = assets.files.get(c.req.path.slice(1));
    return file ? serve(c, file) : c.json({ error: { code: 'SLO_API_NOT_FOUND', message: `no dashboard file ${c.req.path}` } }, 404);
  });

  let recent: { key: string; at: number; snapshot: Promise<TrafficSnapshot> } | undefined;
  app.get('/api/traffic', async (c) => {
    const at = now();
    const query = parseTrafficQuery(c.req.query('range'), c.req.query('step'), at);
    if (isTrafficQueryProblem(query)) return c.json({ error: query }, 400);
    const key = `${query.from}/${query.to}/${query.stepMs}`;
    let snapshot = recent !== undefined && recent.key === key && at - recent.at < reuseMs ? recent.snapshot : undefined;
    if (snapshot === undefined) {
      const reading = options.traffic.traffic(query);
      recent = { key, at, snapshot: reading };
      // A failed read is not reused: the next poll asks the store again.
      reading.catch(() => {
        if (recent?.snapshot === reading) recent = undefined;
      });
      snapshot = reading;
    }
    try {
      return c.json(await snapshot, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'SLO_STORE_QUERY_FAILED';
      return c.json({ error: { code, message: (error as Error).message ?? String(error) } }, 503, { 'cache-control': 'no-store' });
    }
  });

  return app;
}
