import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { sendError } from './forward/error-response.ts';
import { Exchange, type ExchangeContext } from './forward/exchange.ts';
import type { ProxyRuntime } from './proxy-runtime.ts';
import { normalizeHost } from './routing/router.ts';

/** What the app reads at request time; the server swaps `runtime` on reload. */
export interface ProxyState extends ExchangeContext {
  runtime: ProxyRuntime;
  /** False until listening, and again once draining starts. */
  ready: boolean;
  readonly startedAt: number;
}

/**
 * The inbound HTTP app. `/health` (liveness) and `/ready` (readiness) are answered on every
 * host; everything else is routed by Host and path prefix and forwarded on the raw Node
 * request/response (no Web Request/Response on the proxy path: see DESIGN.md "Hot path warning").
 */
export function createProxyApp(state: ProxyState): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.get('/health', (c) => c.json({ status: 'ok', uptimeSeconds: Math.round((performance.now() - state.startedAt) / 1000) }));

  app.get('/ready', (c) =>
    state.ready
      ? c.json({ status: 'ready', services: state.runtime.services.length })
      : c.json({ status: state.draining ? 'draining' : 'starting' }, 503),
  );

  app.all('*', (c) => {
    forward(state, c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });

  return app;
}

/** Routes one request and starts its exchange. */
export function forward(state: ProxyState, req: IncomingMessage, res: ServerResponse): void {
  const startedAt = performance.now();
  const runtime = state.runtime;
  let target = req.url ?? '/';
  let host = req.headers.host ?? '';
  if (target.charCodeAt(0) !== 47 /* / */) {
    // Absolute form (RFC 9112 section 3.2.2): the target's authority replaces Host, and is
    // only honoured for hosts this proxy serves; it is never an open forward proxy.
    const absolute = parseAbsoluteTarget(target);
    if (absolute === undefined || !runtime.router.servesHost(normalizeHost(absolute.host))) {
      sendError(res, absolute === undefined ? 'PROXY_BAD_REQUEST' : 'PROXY_BAD_REQUEST_TARGET', undefined, true);
      return;
    }
    host = absolute.host;
    target = absolute.path;
  }
  const service = runtime.router.match(host, target);
  if (service === undefined) {
    sendError(res, 'PROXY_NO_ROUTE', `no service for host "${host}" and path "${target.split('?')[0]}"`);
    return;
  }
  const path = service.stripPrefix === '' ? target : target.slice(service.stripPrefix.length) || '/';
  const absoluteHost = host === req.headers.host ? undefined : host;
  new Exchange(req, res, service, state, path.charCodeAt(0) === 47 ? path : `/${path}`, startedAt, absoluteHost).start();
}

function parseAbsoluteTarget(target: string): { host: string; path: string } | undefined {
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') return undefined;
  return { host: url.host, path: `${url.pathname}${url.search}` };
}
