import { Hono } from 'hono';
import type { ProxyState } from '../app.ts';
import { ConfigError } from '../config/config-error.ts';
import { hasAdminToken } from './admin-token.ts';

/** What the admin API acts on; `main.ts` supplies it. */
export interface AdminDependencies {
  readonly state: ProxyState;
  /** Re-reads and applies the config file; throws ConfigError when it is invalid. */
  readonly reload: () => Promise<void>;
  /** Prometheus text exposition, when metrics are wired. */
  readonly scrape?: () => Promise<{ contentType: string; body: string }>;
  /** Bearer token for every endpoint but /metrics; undefined refuses them (403). */
  readonly token: Buffer | undefined;
}

/**
 * The admin API, served on its own port (loopback by default):
 * - `GET /metrics`: Prometheus exposition (no token, like every scrape target);
 * - `GET /status`: services and their members' live state;
 * - `POST /reload`: applies the config file now, answers what was wrong if it is invalid.
 */
export function createAdminApp(deps: AdminDependencies): Hono {
  const app = new Hono();

  app.get('/metrics', async (c) => {
    if (deps.scrape === undefined) return c.json({ error: { code: 'ADMIN_METRICS_DISABLED', message: 'metrics are not enabled' } }, 404);
    const { contentType, body } = await deps.scrape();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.use('*', async (c, next) => {
    if (deps.token === undefined) {
      return c.json({ error: { code: 'ADMIN_TOKEN_NOT_CONFIGURED', message: 'set LOOKOUT_ADMIN_TOKEN or admin.tokenFile to use the admin API' } }, 403);
    }
    if (!hasAdminToken(c.req.header('authorization'), deps.token)) {
      return c.json({ error: { code: 'ADMIN_UNAUTHORIZED', message: 'missing or wrong bearer token' } }, 401, { 'www-authenticate': 'Bearer' });
    }
    await next();
  });

  app.get('/status', (c) => {
    const now = Date.now();
    const { state } = deps;
    return c.json({
      ready: state.ready,
      draining: state.draining,
      services: state.runtime.services.map((service) => ({
        name: service.name,
        hosts: service.config.hosts,
        pathPrefix: service.config.pathPrefix,
        balancer: service.config.balancer.type,
        members: service.members.map((member) => ({
          url: member.url,
          id: member.id,
          weight: member.weight,
          healthy: member.healthy,
          ejected: member.ejectedUntil > now,
          active: member.active,
        })),
      })),
    });
  });

  app.post('/reload', async (c) => {
    try {
      await deps.reload();
      return c.json({ status: 'reloaded', services: deps.state.runtime.services.length });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return c.json({ error: { code: error.code, message: error.message, problems: error.problems } }, 400);
    }
  });

  return app;
}
