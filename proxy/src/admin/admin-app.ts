import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { ProxyState } from '../app.ts';
import { ConfigError } from '../config/config-error.ts';
import { POOL_COLORS, type PoolColor } from '../config/schema.ts';
import { ColorSwitchError, type ColorSwitchResult } from '../upstream/color-switch.ts';
import { hasAdminToken } from './admin-token.ts';

const colorSwitchBody = z.strictObject({
  color: z.enum(POOL_COLORS, { error: 'expected "color": "blue" or "green"' }),
  force: z.boolean({ error: 'expected "force" to be true or false' }).default(false),
});

/** What the admin API acts on; `main.ts` supplies it. */
export interface AdminDependencies {
  readonly state: ProxyState;
  /** Re-reads and applies the config file; throws ConfigError when it is invalid. */
  readonly reload: () => Promise<void>;
  /** Blue/green switch of a service (in every worker); throws ColorSwitchError when refused. */
  readonly switchColor: (service: string, color: PoolColor, force: boolean) => Promise<ColorSwitchResult>;
  /** Prometheus text exposition, when metrics are wired. */
  readonly scrape?: () => Promise<{ contentType: string; body: string }>;
  /** Bearer token for every endpoint but /metrics; undefined refuses them (403). */
  readonly token: Buffer | undefined;
}

/**
 * The admin API, served on its own port (loopback by default):
 * - `GET /metrics`: Prometheus exposition (no token, like every scrape target);
 * - `GET /status`: services and their members' live state;
 * - `POST /reload`: applies the config file now, answers what was wrong if it is invalid;
 * - `GET /services/{name}/active-color`: a blue/green service's colours and their health;
 * - `PUT /services/{name}/active-color` with `{"color":"green"}` (and `"force":true` to switch
 *   to a pool with no healthy member): new requests go to that colour at once, requests in
 *   flight finish where they started. Rollback is the same call with the other colour.
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
        ...(service.config.blueGreen === undefined ? {} : { blueGreen: service.blueGreenStatus(now) }),
        members: service.pools.flatMap((pool) =>
          pool.members.map((member) => ({
            url: member.url,
            id: member.id,
            ...(pool.color === undefined ? {} : { color: pool.color }),
            weight: member.weight,
            healthy: member.healthy,
            ejected: member.ejectedUntil > now,
            active: member.active,
          })),
        ),
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

  app.get('/services/:name/active-color', (c) => {
    const service = deps.state.runtime.service(c.req.param('name'));
    if (service === undefined) return switchRefused(c, new ColorSwitchError('SWITCH_UNKNOWN_SERVICE', `"${c.req.param('name')}"`));
    const status = service.blueGreenStatus();
    if (status === undefined) return switchRefused(c, new ColorSwitchError('SWITCH_NOT_BLUE_GREEN', `service "${service.name}"`));
    return c.json({ service: service.name, blueGreen: status });
  });

  app.put('/services/:name/active-color', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: { code: 'ADMIN_BAD_REQUEST', message: 'expected a JSON body such as {"color":"green"}' } }, 400);
    }
    const parsed = colorSwitchBody.safeParse(body);
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => (issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message)).join('; ');
      return c.json({ error: { code: 'ADMIN_BAD_REQUEST', message } }, 400);
    }
    try {
      return c.json(await deps.switchColor(c.req.param('name'), parsed.data.color, parsed.data.force));
    } catch (error) {
      if (!(error instanceof ColorSwitchError)) throw error;
      return switchRefused(c, error);
    }
  });

  return app;
}

function switchRefused(c: Context, error: ColorSwitchError): Response {
  return c.json({ error: { code: error.code, message: error.message } }, error.status as 404 | 409);
}
