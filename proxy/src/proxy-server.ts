import { createServer, ServerResponse, STATUS_CODES, type IncomingMessage, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from './log.ts';
import { answerError, createProxyApp, forward, observeLocal, type ProxyState } from './app.ts';
import type { ProxyMetrics } from './metrics/proxy-metrics.ts';
import type { ServiceMember } from './metrics/upstream-metrics.ts';
import type { PoolColor, ProxyConfig } from './config/schema.ts';
import { ColorSwitchError, type ColorSwitchResult } from './upstream/color-switch.ts';
import { errorBody, PROXY_ERRORS, ProxyError, proxyErrorStatus, type ProxyErrorCode } from './errors.ts';
import { exchangeOf } from './forward/exchange.ts';
import { TunnelSet } from './forward/tunnel.ts';
import type { RequestEventRecorder } from './request-event/request-event-recorder.ts';
import { requestHeadProblem } from './request-head-check.ts';
import { ProxyRuntime } from './proxy-runtime.ts';
import { arrivalOf, markArrival } from './request-arrival.ts';
import { MemberRegistry } from './upstream/member-registry.ts';
import { tlsFacts, type TlsCredentials } from './tls/tls-credentials.ts';

export interface ProxyServerOptions {
  readonly config: ProxyConfig;
  readonly log: Logger;
  /** Records one telemetry event per request; none when absent. */
  readonly recorder?: RequestEventRecorder;
  /** Request, upstream and runtime metrics; none when absent. */
  readonly metrics?: ProxyMetrics;
  /** Certificate and key when `listen.tls` is set: the listener speaks HTTPS. */
  readonly tls?: TlsCredentials;
}

/**
 * The proxy process's server: listens, forwards, reloads its config atomically and drains on
 * shutdown. Build it with a config; `main.ts` connects it to signals and files.
 */
export class ProxyServer {
  readonly log: Logger;
  readonly state: ProxyState;
  readonly server: Server | HttpsServer;
  readonly #registry = new MemberRegistry();
  #shutdown: Promise<void> | undefined;

  constructor(options: ProxyServerOptions) {
    this.log = options.log;
    const runtime = new ProxyRuntime(options.config, this.#registry, options.log);
    const tls = options.tls;
    this.state = { runtime, ready: false, draining: false, startedAt: performance.now(), recorder: options.recorder, metrics: options.metrics, scheme: tls === undefined ? 'http' : 'https', tunnels: new TunnelSet() };
    options.metrics?.setMembersProvider(() => this.#members());
    const app = createProxyApp(this.state);
    const listener = getRequestListener(app.fetch, { autoCleanupIncoming: false });
    const limits = options.config.limits;
    const serverOptions: ServerOptions = {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.clientHeadersTimeout,
      requestTimeout: Math.max(limits.clientRequestTimeout, limits.clientHeadersTimeout),
      keepAliveTimeout: limits.clientKeepAliveTimeout,
      // Node checks header/request timeouts on this interval: keep it fine enough that a 408
      // comes close to the configured time.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.clientHeadersTimeout / 10))),
      // The Host rules are checked (and every refusal recorded) by requestHeadProblem.
      requireHostHeader: false,
      noDelay: true,
    };
    // WebSocket upgrades (GET) take the 'upgrade' path; any other Upgrade (h2c ...) is served as
    // a plain request, its Upgrade header dropped like every hop-by-hop header.
    const upgradeOptions = { shouldUpgradeCallback: (req: IncomingMessage) => req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket' };
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => this.#onRequest(req, res, listener);
    this.server =
      tls === undefined
        ? createServer({ ...serverOptions, ...upgradeOptions }, onRequest)
        : createHttpsServer({ ...serverOptions, ...upgradeOptions, cert: tls.cert, key: tls.key, minVersion: tls.minVersion, ALPNProtocols: ['http/1.1'] }, onRequest);
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#onUpgrade(req, socket, head));
    // An Expect other than 100-continue: served like any request (RFC 9110 section 10.1.1 lets
    // a server ignore it; Expect is not forwarded), rather than Node's unrecorded 417.
    this.server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res, listener));
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.#onClientError(error, socket));
    this.server.on('connect', (req: IncomingMessage, socket: Socket) => {
      const message = 'CONNECT is not supported: this is a reverse proxy';
      writeRawError(socket, 'PROXY_BAD_REQUEST', message);
      observeLocal(this.state, req, performance.now(), { status: 400, termination: 'bad_request', responseBytes: 0, probe: false, error: new ProxyError('PROXY_BAD_REQUEST', message) });
    });
  }

  /** Resolves with the bound address once listening. */
  async listen(): Promise<{ host: string; port: number }> {
    const { host, port } = this.state.runtime.config.listen;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.state.runtime.start();
    this.state.ready = true;
    const address = this.server.address();
    const bound = typeof address === 'object' && address !== null ? { host: address.address, port: address.port } : { host, port };
    return bound;
  }

  /**
   * Swaps in a new config. Process settings (listen, limits, workers, admin, metrics, telemetry)
   * need a restart and are reported, not applied; an HTTPS listener takes `tls` (the files read
   * again, so a renewed certificate is served to new connections at once). Members kept by the
   * new config keep their connections and health.
   */
  async reload(config: ProxyConfig, tls?: TlsCredentials): Promise<void> {
    const old = this.state.runtime;
    const next = new ProxyRuntime(config, this.#registry, this.log, old);
    for (const key of ['listen', 'limits', 'workers', 'admin', 'metrics', 'telemetry'] as const) {
      if (JSON.stringify(restartSetting(old.config, key)) !== JSON.stringify(restartSetting(config, key))) {
        this.log.warn({ setting: key }, `config reload: "${key}" changed and takes effect after a restart`);
      }
    }
    if (this.state.scheme === 'https' && tls !== undefined) {
      this.setTlsCredentials(tls);
    } else if ((this.state.scheme === 'https') !== (tls !== undefined)) {
      this.log.warn({ setting: 'listen.tls' }, `config reload: "listen.tls" turned ${tls === undefined ? 'off' : 'on'} and takes effect after a restart`);
    }
    next.start();
    this.state.runtime = next;
    old.stop();
    await this.#registry.retain(next.members());
    this.log.info({ services: next.services.length }, 'config reloaded');
  }

  /** An HTTPS listener serves `tls` to new connections from now on (those open keep theirs). */
  setTlsCredentials(tls: TlsCredentials): void {
    if (this.state.scheme !== 'https') return;
    (this.server as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key, minVersion: tls.minVersion });
    this.log.info(tlsFacts(tls), 'TLS certificate loaded');
  }

  /**
   * Blue/green switch of one service: new requests go to `color` at once, requests in flight
   * finish where they started. Throws ColorSwitchError (unknown service, single pool, no
   * healthy member in the target pool unless `force`).
   */
  switchColor(serviceName: string, color: PoolColor, force = false): ColorSwitchResult {
    const service = this.state.runtime.service(serviceName);
    if (service === undefined) throw new ColorSwitchError('SWITCH_UNKNOWN_SERVICE', `"${serviceName}"`);
    return service.switchColor(color, { force });
  }

  /**
   * Graceful shutdown: readiness fails first, after `drain.delay` the listener closes and idle
   * connections are dropped, in-flight requests finish (their responses ask clients to close),
   * and after `drain.timeout` the rest is cut.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#drain();
    return this.#shutdown;
  }

  async #drain(): Promise<void> {
    const { delay, timeout } = this.state.runtime.config.drain;
    this.state.ready = false;
    this.state.draining = true;
    this.log.info({ delayMs: delay, timeoutMs: timeout }, 'draining');
    if (delay > 0) await sleep(delay);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const idleSweep = setInterval(() => this.server.closeIdleConnections(), 100);
    const forced = sleep(timeout).then(() => 'timeout' as const);
    const result = await Promise.race([closed.then(() => 'drained' as const), forced]);
    clearInterval(idleSweep);
    if (result === 'timeout') {
      this.log.warn({ tunnels: this.state.tunnels.size }, 'drain timeout: closing remaining connections');
      this.server.closeAllConnections();
      this.state.tunnels.closeAll();
    }
    this.state.runtime.stop();
    await this.#registry.closeAll();
    this.log.info({ result }, 'shutdown complete');
  }

  /** Every (service, member) pair of the running config, with its pool's colour, for the member metrics. */
  *#members(): Iterable<ServiceMember> {
    for (const service of this.state.runtime.services) {
      for (const pool of service.pools) {
        const active = pool === service.active;
        for (const member of pool.members) yield { service: service.name, member, color: pool.color, active };
      }
    }
  }

  /**
   * A WebSocket upgrade: routed and forwarded like any request, on a response object of its own
   * (the HTTP server has let go of the socket). A non-101 answer is sent and the connection
   * closed; a 101 joins client and upstream (see Exchange.onRequestUpgrade).
   */
  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    markArrival(req);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.end());
    const problem = requestHeadProblem(req.url ?? '', req.rawHeaders);
    if (problem !== undefined || this.state.draining) {
      const error = problem === undefined ? new ProxyError('PROXY_DRAINING') : new ProxyError(problem.code, problem.detail);
      answerError(this.state, req, res, arrivalOf(req), error, true);
      return;
    }
    forward(this.state, req, res, { protocol: req.headers.upgrade!, head });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse, listener: (req: IncomingMessage, res: ServerResponse) => Promise<void>): void {
    markArrival(req);
    const problem = requestHeadProblem(req.url ?? '', req.rawHeaders);
    if (problem !== undefined) {
      answerError(this.state, req, res, arrivalOf(req), new ProxyError(problem.code, problem.detail), true);
      return;
    }
    void listener(req, res);
  }

  #onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
    if (error.code === 'HPE_CLOSED_CONNECTION') {
      // Bytes after a request that asked to close: they are never parsed into a request; the
      // answer under way finishes and the connection closes after it.
      if (inFlight === undefined) socket.end();
      return;
    }
    const inBody = inFlight !== undefined && !inFlight.req.complete;
    const code: ProxyErrorCode =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'PROXY_REQUEST_HEADERS_TOO_LARGE'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? inBody
            ? 'PROXY_REQUEST_BODY_TIMEOUT'
            : 'PROXY_REQUEST_HEADERS_TIMEOUT'
          : 'PROXY_BAD_REQUEST';
    const { message, termination } = PROXY_ERRORS[code];
    const detail =
      code === 'PROXY_BAD_REQUEST'
        ? `${error.code ?? 'parse error'}: ${error.message}`
        : code === 'PROXY_REQUEST_BODY_TIMEOUT'
          ? `not complete after ${this.state.runtime.config.limits.clientRequestTimeout} ms`
          : undefined;
    const reason = detail === undefined ? message : `${message} (${detail})`;
    if (inFlight !== undefined) {
      // A request whose head was accepted is being answered on this connection. When the parser
      // failed inside its body (bad chunk framing, body too slow), that request keeps its one
      // event: its exchange answers (or cuts a response already under way), or the proxy had
      // already answered it (no route, a local error) and the rest of its body is dropped.
      const exchange = inBody ? exchangeOf(inFlight) : undefined;
      if (exchange !== undefined && (code === 'PROXY_BAD_REQUEST' || code === 'PROXY_REQUEST_BODY_TIMEOUT') && exchange.rejectRequest(code, detail!)) return;
      if (inBody) {
        closeAfterResponse(socket, inFlight);
        return;
      }
      // A malformed request pipelined behind one being answered: that response finishes, then
      // the malformed one gets its error and the connection closes (recorded below).
      answerAfterResponse(socket, inFlight, code, reason);
    } else {
      writeRawError(socket, code, reason);
    }
    const status = proxyErrorStatus(code);
    this.state.recorder?.recordRejected((error as { rawPacket?: Buffer }).rawPacket, socket.remoteAddress, status, termination, code, reason);
    this.state.metrics?.recordRequest('', 'UNKNOWN', status, 0, termination, false);
  }
}

/** A setting compared across reloads for "needs a restart"; `listen.tls` is applied live instead. */
function restartSetting(config: ProxyConfig, key: 'listen' | 'limits' | 'workers' | 'admin' | 'metrics' | 'telemetry'): unknown {
  if (key !== 'listen') return config[key];
  const { tls: _applied, ...listen } = config.listen;
  return listen;
}

/** Lets a finished response reach the client before closing; cuts one still under way. */
function closeAfterResponse(socket: Socket, res: ServerResponse): void {
  if (res.writableEnded) socket.end();
  else socket.destroy();
}

/**
 * Writes the error for a malformed pipelined request once the response before it has gone out
 * whole (HTTP/1.1 answers in order); if that response is cut instead, so is the connection.
 */
function answerAfterResponse(socket: Socket, res: ServerResponse, code: ProxyErrorCode, message: string): void {
  // Nothing more is read from this connection (the parser has failed for good).
  socket.pause();
  if (res.writableFinished) {
    writeRawError(socket, code, message);
    return;
  }
  const onFinish = (): void => {
    res.off('close', onClose);
    writeRawError(socket, code, message);
  };
  const onClose = (): void => {
    res.off('finish', onFinish);
    socket.destroy();
  };
  res.once('finish', onFinish);
  res.once('close', onClose);
}

/** Writes a complete error response on a socket the HTTP server gave up on, then closes it. */
function writeRawError(socket: Socket, code: ProxyErrorCode, message: string = PROXY_ERRORS[code].message): void {
  const status = proxyErrorStatus(code);
  const body = errorBody(code, message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
