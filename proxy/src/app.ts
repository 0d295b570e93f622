import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { ProxyError } from './errors.ts';
import { sendError } from './forward/error-response.ts';
import { Exchange, type ExchangeContext, type UpgradeRequest } from './forward/exchange.ts';
import type { ProxyRuntime } from './proxy-runtime.ts';
import { arrivalOf } from './request-arrival.ts';
import type { LocalAnswer } from './request-event/request-event-recorder.ts';
import { normalizeRequestTarget } from './routing/request-path.ts';
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

  app.get('/health', (c) => {
    answerProbe(state, c.env.incoming, c.env.outgoing, 200, { status: 'ok', uptimeSeconds: Math.round((performance.now() - state.startedAt) / 1000) });
    return RESPONSE_ALREADY_SENT;
  });

  app.get('/ready', (c) => {
    if (state.ready) answerProbe(state, c.env.incoming, c.env.outgoing, 200, { status: 'ready', services: state.runtime.services.length });
    else answerProbe(state, c.env.incoming, c.env.outgoing, 503, { status: state.draining ? 'draining' : 'starting' });
    return RESPONSE_ALREADY_SENT;
  });

  app.all('*', (c) => {
    forward(state, c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });

  return app;
}

/** Routes one request (or WebSocket upgrade) and starts its exchange. */
export function forward(state: ProxyState, req: IncomingMessage, res: ServerResponse, upgrade?: UpgradeRequest): void {
  const startedAt = arrivalOf(req);
  const runtime = state.runtime;
  let target = req.url ?? '/';
  let host = req.headers.host ?? '';
  if (target.charCodeAt(0) !== 47 /* / */) {
    // Absolute form (RFC 9112 section 3.2.2): the target's authority replaces Host, and is
    // only honoured for hosts this proxy serves; it is never an open forward proxy.
    const absolute = parseAbsoluteTarget(target);
    if (absolute === undefined || !runtime.router.servesHost(normalizeHost(absolute.host))) {
      // The detail names the authority only: the query may carry credentials.
      answerError(state, req, res, startedAt, new ProxyError(absolute === undefined ? 'PROXY_BAD_REQUEST' : 'PROXY_BAD_REQUEST_TARGET', absolute?.host), true);
      return;
    }
    host = absolute.host;
    target = absolute.path;
  }
  // Routing, forwarding and the event all see the one normalised path (see request-path.ts).
  target = normalizeRequestTarget(target);
  const service = runtime.router.match(host, target);
  if (service === undefined) {
    answerError(state, req, res, startedAt, new ProxyError('PROXY_NO_ROUTE', `no service for host "${host}" and path "${target.split('?')[0]}"`));
    return;
  }
  const path = service.stripPrefix === '' ? target : target.slice(service.stripPrefix.length) || '/';
  const absoluteHost = host === req.headers.host ? undefined : host;
  new Exchange(req, res, service, state, target, path.charCodeAt(0) === 47 ? path : `/${path}`, startedAt, absoluteHost, upgrade).start();
}

function parseAbsoluteTarget(target: string): { host: string; path: string } | undefined {
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') return undefined;
  return { host: url.host, path: `${url.pathname}${url.search}` };
}

/** The proxy's own error answer, recorded as the request's event; `close` ends the connection after it. */
export function answerError(state: ProxyState, req: IncomingMessage, res: ServerResponse, startedAt: number, error: ProxyError, close = false): void {
  // A request body nobody reads would have to be drained before the next request: close instead.
  const bytes = sendError(res, error.code, error.message, close || hasBody(req));
  observeLocal(state, req, startedAt, { status: error.status, termination: error.termination, responseBytes: bytes, probe: false, error });
}

/** Whether the request announces a body (RFC 9112 section 6.3). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Event and metrics of a request the proxy answered itself. */
export function observeLocal(state: ProxyState, req: IncomingMessage, startedAt: number, answer: LocalAnswer): void {
  state.recorder?.recordLocal(req, startedAt, answer);
  state.metrics?.recordRequest(answer.service ?? '', req.method ?? 'GET', answer.status, (performance.now() - startedAt) / 1000, answer.termination, answer.probe);
}

/** Answers a liveness/readiness probe; its event is flagged so SLIs leave it out. */
function answerProbe(state: ProxyState, req: IncomingMessage, res: ServerResponse, status: number, body: object): void {
  const startedAt = arrivalOf(req);
  const text = JSON.stringify(body);
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes, 'cache-control': 'no-store' });
  res.end(text);
  observeLocal(state, req, startedAt, { status, termination: 'local', responseBytes: bytes, probe: true });
}
