import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { BalancerRequest } from '../balancer/balancer.ts';
import { clientAddress } from '../client-address.ts';
import { ProxyError, type ProxyErrorCode } from '../errors.ts';
import type { QueueOutcome } from '../limits/concurrency-limiter.ts';
import type { ProxyMetrics } from '../metrics/proxy-metrics.ts';
import type { RequestEventRecorder } from '../request-event/request-event-recorder.ts';
import { continueTrace, traceparentOf, type TraceContext } from '../request-event/trace-context.ts';
import type { Member } from '../upstream/member.ts';
import type { UpstreamPool } from '../upstream/upstream-pool.ts';
import type { UpstreamService } from '../upstream/upstream-service.ts';
import { sendError } from './error-response.ts';
import { responseHeaderList } from './hop-by-hop.ts';
import { openTunnel, switchingProtocolsHead, type TunnelSet } from './tunnel.ts';
import { classifyUpstreamError } from './upstream-error.ts';
import { upstreamRequestHeaders, type RequestHeaderFacts } from './upstream-request-headers.ts';

/** Proxy-wide state an exchange reads. */
export interface ExchangeContext {
  /** Set while draining: responses ask clients to close their connection. */
  draining: boolean;
  /** Records one telemetry event per exchange when it is over; undefined when telemetry is off. */
  readonly recorder: RequestEventRecorder | undefined;
  /** Request metrics (hand instrumentation: plain counters, read at scrape time). */
  readonly metrics: ProxyMetrics | undefined;
  /** What clients speak to the listener: `https` when it terminates TLS. */
  readonly scheme: 'http' | 'https';
  /** Upgraded connections (WebSocket) open now. */
  readonly tunnels: TunnelSet;
}

/** A WebSocket upgrade request: the protocol asked for and the bytes the client sent after its head. */
export interface UpgradeRequest {
  readonly protocol: string;
  readonly head: Buffer;
}

// Methods whose repetition has the same effect as one request (RFC 9110 section 9.2.2).
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const NO_MEMBERS: readonly Member[] = [];
const EMPTY = Buffer.alloc(0);
// Try failures after which an idempotent request without a body is sent to another member.
const REPLAYABLE_FAILURES: ReadonlySet<ProxyErrorCode> = new Set(['PROXY_UPSTREAM_RESET', 'PROXY_UPSTREAM_HEADERS_TIMEOUT', 'PROXY_UPSTREAM_BODY_TIMEOUT']);
const EXCHANGE = Symbol('exchange');

type ResponseWithExchange = ServerResponse & { [EXCHANGE]?: Exchange };

/**
 * One client request forwarded upstream, possibly over several tries. It is its own undici
 * dispatch handler: the upstream response is streamed straight into Node's ServerResponse
 * with backpressure, no Web streams in between (see DESIGN.md "Hot path warning").
 *
 * Lifecycle: start() -> [queue] -> dispatch() -> undici callbacks -> done. A try ends with
 * exactly one of onResponseEnd / onResponseError; the exchange ends when it has answered the
 * client and no try is open.
 */
export class Exchange implements Dispatcher.DispatchHandler, BalancerRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly service: UpstreamService;
  /**
   * The pool this request uses for all its tries: the service's active pool when it arrived. A
   * blue/green switch later never moves it; its event records this pool's colour.
   */
  readonly pool: UpstreamPool;
  readonly context: ExchangeContext;
  readonly method: string;
  readonly path: string;
  readonly clientIp: string;
  readonly facts: RequestHeaderFacts = { contentLength: -1, chunked: false, host: '', traceparent: undefined, userAgent: undefined, requestId: undefined };
  readonly headers: string[];
  readonly trace: TraceContext;
  /** The request target as the client sent it (origin-form). */
  readonly target: string;
  /** Set for a WebSocket upgrade: a 101 from the upstream turns the connection into a tunnel. */
  readonly upgrade: UpgradeRequest | undefined;

  /** performance.now() at arrival; other timings are relative to it, in ms. */
  readonly startedAt: number;
  queueWaitMs = 0;
  connectMs = -1;
  firstByteMs = -1;
  lastByteMs = -1;
  clientLastByteMs = -1;

  member: Member | undefined = undefined;
  decision = '';
  tries = 0;
  status = 0;
  responseBytes = 0;
  requestBytes = 0;
  /** Set when the exchange failed: the error the client was answered with (or cut off by). */
  error: ProxyError | undefined = undefined;

  #body: PassThrough | null = null;
  #tried: Member[] | undefined = undefined;
  #controller: Dispatcher.DispatchController | undefined = undefined;
  #abortOnStart: Error | undefined = undefined;
  #tryOpen = false;
  #requestSent = false;
  #responseStarted = false;
  #answered = false;
  #clientDone = false;
  #completed = false;
  #slotHeld = false;
  #queued = false;
  #ticket = 0;
  #setCookie: string | undefined = undefined;
  /** Status of the current try's upstream response (what the member answered, held or not). */
  #upstreamStatus = 0;
  /**
   * The current try's response is being held until its last byte (`retries.holdResponseBody`):
   * its head and chunks are kept here, and a failure before the end is retried like one before
   * the headers.
   */
  #holding = false;
  #heldMessage: string | undefined = undefined;
  #heldHeaders: string[] | undefined = undefined;
  /** The first held chunk (usually the whole body), then any others. */
  #heldChunk: Buffer | undefined = undefined;
  #heldChunks: Buffer[] | undefined = undefined;
  #lastFailure: { code: ProxyErrorCode; detail: string | undefined; cause: Error | undefined } | undefined = undefined;
  #tryTimer: NodeJS.Timeout | undefined = undefined;
  #totalTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    service: UpstreamService,
    context: ExchangeContext,
    target: string,
    path: string,
    startedAt: number,
    hostOverride?: string,
    upgrade?: UpgradeRequest,
  ) {
    this.req = req;
    this.upgrade = upgrade;
    this.res = res;
    this.service = service;
    this.pool = service.active;
    this.context = context;
    this.method = req.method ?? 'GET';
    this.target = target;
    this.path = path;
    this.startedAt = startedAt;
    this.clientIp = clientAddress(req.socket.remoteAddress);
    this.headers = upstreamRequestHeaders(req.rawHeaders, { clientIp: this.clientIp, proto: context.scheme, hostOverride: service.hostOverride ?? hostOverride, via: service.via }, this.facts);
    this.trace = continueTrace(this.facts.traceparent);
    this.headers.push('traceparent', traceparentOf(this.trace));
  }

  /** The last try's error when a retry then succeeded (telemetry's `error.*`). */
  get lastFailure(): { code: ProxyErrorCode; cause: Error | undefined } | undefined {
    return this.#lastFailure;
  }

  /** Begins forwarding. */
  start(): void {
    (this.res as ResponseWithExchange)[EXCHANGE] = this;
    this.res.once('close', onClientClose);
    this.context.metrics?.requestStarted(this.method);
    const service = this.service;
    if (this.facts.contentLength > service.maxRequestBodyBytes) {
      this.#fail('PROXY_REQUEST_BODY_TOO_LARGE', `Content-Length ${this.facts.contentLength} exceeds ${service.maxRequestBodyBytes} bytes`);
      return;
    }
    if (this.facts.contentLength > 0 || this.facts.chunked) this.#body = this.#bodyStream();
    if (service.totalTimeoutMs > 0) this.#totalTimer = setTimeout(onTotalTimeout, service.totalTimeoutMs, this);
    service.retryBudget.recordRequest(Date.now());
    const limiter = service.limiter;
    if (limiter === undefined) {
      this.#dispatch();
    } else if (limiter.tryAcquire()) {
      this.#slotHeld = true;
      this.#dispatch();
    } else {
      this.#queued = true;
      this.#ticket = limiter.enqueue(onQueueOutcome, this);
    }
  }

  /** Concurrency limiter callback: a slot became free after `waitedMs`. */
  granted(waitedMs: number): void {
    this.#queued = false;
    this.queueWaitMs = waitedMs;
    this.#slotHeld = true;
    if (this.#answered) {
      this.#finishIfDone();
      return;
    }
    this.#dispatch();
  }

  /** Concurrency limiter callback: the request was not admitted. */
  rejected(reason: 'overflow' | 'timeout', waitedMs: number): void {
    this.#queued = false;
    this.queueWaitMs = waitedMs;
    this.#fail(reason === 'overflow' ? 'PROXY_OVERFLOW' : 'PROXY_QUEUE_TIMEOUT');
  }

  // --- BalancerRequest ---------------------------------------------------------------

  header(name: string): string | undefined {
    const raw = this.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) return raw[i + 1];
    }
    return undefined;
  }

  cookie(name: string): string | undefined {
    const header = this.header('cookie');
    if (header === undefined) return undefined;
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
    }
    return undefined;
  }

  // --- undici DispatchHandler ----------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.connectMs < 0) this.connectMs = performance.now() - this.startedAt;
    this.#requestSent = true;
    if (this.#abortOnStart !== undefined) controller.abort(this.#abortOnStart);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200) return;
    this.#clearTryTimer();
    this.firstByteMs = performance.now() - this.startedAt;
    this.#upstreamStatus = statusCode;
    // A 5xx counts against the member now; a success only once the body has arrived whole
    // (onResponseEnd), so that a member resetting mid-body is ejected like one failing outright.
    if (statusCode >= 500) this.pool.recordFailure(this.member!, Date.now());
    if (this.#answered) {
      controller.abort(new ProxyError('PROXY_CLIENT_ABORT'));
      return;
    }
    const list = responseHeaderList(headers);
    if (this.#setCookie !== undefined) list.push('set-cookie', this.#setCookie);
    if (this.context.draining) list.push('connection', 'close');
    if (this.#mayHold(headers['content-length'])) {
      this.#holding = true;
      this.#heldMessage = statusMessage;
      this.#heldHeaders = list;
      return;
    }
    const problem = this.#writeHead(statusCode, statusMessage, list);
    if (problem !== undefined) controller.abort(new ProxyError('PROXY_UPSTREAM_PROTOCOL_ERROR', problem));
  }

  /**
   * The upstream switched protocols (101): the client gets the same head, then the two
   * connections are joined as a tunnel (see `openTunnel`) that lives on its own. The exchange,
   * and its event, end here: the event's duration is the handshake's, so a WebSocket open for an
   * hour does not count as an hour-long request in latency SLIs.
   */
  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, upstream: Duplex): void {
    this.#clearTryTimer();
    this.firstByteMs = performance.now() - this.startedAt;
    this.lastByteMs = this.firstByteMs;
    this.#upstreamStatus = statusCode;
    this.pool.recordSuccess(this.member!);
    this.#closeTry();
    const client = this.res.socket;
    if (this.#answered || client === null || client.destroyed) {
      upstream.destroy();
      this.#finishIfDone();
      return;
    }
    // From here the socket is the tunnel's: the response object lets go of it.
    this.res.detachSocket(client);
    const head = switchingProtocolsHead(headers);
    client.write(head, 'latin1');
    this.status = statusCode;
    this.responseBytes = head.length;
    this.#responseStarted = true;
    this.#answered = true;
    this.#clientDone = true;
    this.clientLastByteMs = performance.now() - this.startedAt;
    if (this.#totalTimer !== undefined) clearTimeout(this.#totalTimer);
    openTunnel(client, upstream, this.upgrade?.head ?? EMPTY, this.context.tunnels);
    this.#finishIfDone();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#answered) return;
    if (this.#holding) {
      // Bounded: undici fails a body longer than its Content-Length, which #mayHold capped.
      if (this.#heldChunk === undefined) this.#heldChunk = chunk;
      else (this.#heldChunks ??= []).push(chunk);
      return;
    }
    this.responseBytes += chunk.length;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', onClientDrain);
    }
  }

  onResponseEnd(): void {
    this.lastByteMs = performance.now() - this.startedAt;
    if (this.#upstreamStatus < 500) this.pool.recordSuccess(this.member!);
    this.#closeTry();
    if (this.#holding && !this.#answered) {
      this.#releaseHeld();
      return;
    }
    if (!this.#answered) {
      this.#answered = true;
      this.res.end();
    }
    this.#finishIfDone();
  }

  /** Sends a held response, complete now, to the client in one go. */
  #releaseHeld(): void {
    const problem = this.#writeHead(this.#upstreamStatus, this.#heldMessage, this.#heldHeaders!);
    const first = this.#heldChunk;
    const more = this.#heldChunks;
    this.#dropHeld();
    if (problem !== undefined) {
      this.#fail('PROXY_UPSTREAM_PROTOCOL_ERROR', problem);
      return;
    }
    this.#answered = true;
    if (first === undefined) {
      this.res.end();
    } else if (more === undefined) {
      this.responseBytes += first.length;
      this.res.end(first);
    } else {
      this.responseBytes += first.length;
      this.res.write(first);
      for (const chunk of more) {
        this.responseBytes += chunk.length;
        this.res.write(chunk);
      }
      this.res.end();
    }
    this.#finishIfDone();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const member = this.member!;
    this.#closeTry();
    // A held response never reached the client: the try failed as if before the headers.
    if (this.#holding) this.#dropHeld();
    if (this.#answered) {
      this.#finishIfDone();
      return;
    }
    const code = error instanceof ProxyError ? error.code : classifyUpstreamError(error);
    if (code !== 'PROXY_CLIENT_ABORT' && code !== 'PROXY_REQUEST_TIMEOUT') {
      this.pool.recordFailure(member, Date.now());
      this.context.metrics?.recordUpstreamFailure(this.service.name, member.url, code);
    }
    const detail = error instanceof ProxyError ? error.detail : `${member.url}: ${error.message}`;
    const cause = error instanceof ProxyError ? undefined : error;
    if (!this.#responseStarted && this.#mayRetry(code)) {
      (this.#tried ??= []).push(member);
      this.#lastFailure = { code, detail, cause };
      this.#dispatch();
      return;
    }
    this.#fail(code, detail, cause);
  }

  // --- internals ---------------------------------------------------------------------

  #dispatch(): void {
    const now = Date.now();
    const pick = this.pool.balancer.pick(this, now, this.#tried ?? NO_MEMBERS);
    if (pick === undefined) {
      // After failed tries, the client learns why the last one failed, not that we ran out.
      if (this.#lastFailure !== undefined) this.#fail(this.#lastFailure.code, this.#lastFailure.detail, this.#lastFailure.cause);
      else this.#fail('PROXY_NO_HEALTHY_UPSTREAM', this.pool.color === undefined ? `service "${this.service.name}"` : `service "${this.service.name}", ${this.pool.color} pool`);
      return;
    }
    const member = pick.member;
    this.member = member;
    this.decision = pick.decision;
    this.#setCookie = pick.setCookie;
    this.tries++;
    this.#tryOpen = true;
    this.#requestSent = false;
    this.#controller = undefined;
    this.#abortOnStart = undefined;
    member.active++;
    const service = this.service;
    if (service.headersTimeoutMs > 0) this.#tryTimer = setTimeout(onHeadersTimeout, service.headersTimeoutMs, this);
    member.pool.dispatch(
      {
        path: this.path,
        method: this.method as Dispatcher.HttpMethod,
        headers: this.headers,
        body: this.#body,
        // Our own timer enforces the headers timeout precisely; undici's is a backstop.
        headersTimeout: service.headersTimeoutMs > 0 ? service.headersTimeoutMs + 1_000 : 0,
        bodyTimeout: service.bodyIdleTimeoutMs,
        idempotent: IDEMPOTENT.has(this.method),
        upgrade: this.upgrade?.protocol ?? null,
      },
      this,
    );
  }

  /**
   * Whether the response now starting is held until complete: only when a failure could still
   * be retried (idempotent request without a body, a try left) and its declared length is small
   * enough. Responses of unknown length (chunked, streamed events) always stream at once.
   */
  #mayHold(contentLength: string | string[] | undefined): boolean {
    const limit = this.service.holdResponseBytes;
    if (limit === 0 || typeof contentLength !== 'string' || this.#body !== null || this.tries >= this.service.maxTries || !IDEMPOTENT.has(this.method)) return false;
    const length = Number(contentLength);
    return length > 0 && length <= limit;
  }

  #dropHeld(): void {
    this.#holding = false;
    this.#heldMessage = undefined;
    this.#heldHeaders = undefined;
    this.#heldChunk = undefined;
    this.#heldChunks = undefined;
  }

  /** Sends the response head to the client; returns why Node refused it, if it did. */
  #writeHead(statusCode: number, statusMessage: string | undefined, list: string[]): string | undefined {
    try {
      this.res.writeHead(statusCode, statusMessage || undefined, list);
    } catch (error) {
      return (error as Error).message;
    }
    this.status = statusCode;
    this.#responseStarted = true;
    return undefined;
  }

  /** Whether a failed try may be repeated on another member. */
  #mayRetry(code: ProxyErrorCode): boolean {
    if (this.tries >= this.service.maxTries || this.res.destroyed) return false;
    // Nothing reached the upstream: any method is safe to send elsewhere.
    const notSent = !this.#requestSent && (code === 'PROXY_UPSTREAM_CONNECT_FAILED' || code === 'PROXY_UPSTREAM_CONNECT_TIMEOUT');
    // The upstream may have seen it: only idempotent requests whose (empty) body can be replayed.
    // (A body timeout or reset after the headers gets here only for a held response.)
    const replayable = REPLAYABLE_FAILURES.has(code) && this.#body === null && IDEMPOTENT.has(this.method);
    if (!notSent && !replayable) return false;
    return this.service.retryBudget.tryRetry(Date.now());
  }

  /** Answers the client with an error, aborts the open try, and ends the exchange. */
  #fail(code: ProxyErrorCode, detail?: string, cause?: Error): void {
    if (this.#answered) return;
    this.#answered = true;
    if (this.#queued) {
      this.#queued = false;
      this.service.limiter!.cancel(this.#ticket);
    }
    this.error = new ProxyError(code, detail, cause === undefined ? undefined : { cause });
    if (this.status === 0) this.status = this.error.status;
    this.#abortTry(this.error);
    if (code !== 'PROXY_CLIENT_ABORT') {
      // An unread request body would be drained by Node before the next request: close instead.
      const close = (this.facts.contentLength > 0 || this.facts.chunked) && !this.req.readableEnded;
      const written = sendError(this.res, code, this.error.message, close);
      if (written > 0) this.responseBytes = written;
    }
    this.#finishIfDone();
  }

  #abortTry(reason: Error): void {
    if (!this.#tryOpen) return;
    if (this.#controller !== undefined) this.#controller.abort(reason);
    else this.#abortOnStart = reason;
  }

  #closeTry(): void {
    this.#clearTryTimer();
    if (this.#tryOpen) {
      this.#tryOpen = false;
      this.member!.active--;
    }
  }

  #clearTryTimer(): void {
    if (this.#tryTimer !== undefined) {
      clearTimeout(this.#tryTimer);
      this.#tryTimer = undefined;
    }
  }

  #finishIfDone(): void {
    if (this.#completed || this.#tryOpen || !this.#answered || !this.#clientDone) return;
    this.#completed = true;
    if (this.#totalTimer !== undefined) clearTimeout(this.#totalTimer);
    if (this.#slotHeld) {
      this.#slotHeld = false;
      this.service.limiter!.release();
    }
    if (this.#body !== null) this.req.unpipe(this.#body);
    this.context.recorder?.recordExchange(this);
    const metrics = this.context.metrics;
    if (metrics !== undefined) {
      metrics.requestEnded(this.method);
      metrics.recordRequest(this.service.name, this.method, this.status, this.clientLastByteMs / 1000, this.error?.termination ?? '', false);
      if (this.tries > 1) metrics.recordRetries(this.service.name, this.tries - 1);
    }
  }

  /** The request body as a stream undici may destroy without touching the client socket. */
  #bodyStream(): PassThrough {
    const body = new PassThrough();
    const limit = this.service.maxRequestBodyBytes;
    this.req.on('data', (chunk: Buffer) => {
      this.requestBytes += chunk.length;
      if (this.requestBytes > limit) this.#fail('PROXY_REQUEST_BODY_TOO_LARGE', `body exceeds ${limit} bytes`);
    });
    this.req.pipe(body);
    return body;
  }

  /**
   * The HTTP server gave up on the rest of this request (malformed body framing, body too slow):
   * the client is answered with `code` (or, once the response has started, cut off) and the
   * exchange records its one event. Returns false when the exchange had already answered.
   */
  rejectRequest(code: 'PROXY_BAD_REQUEST' | 'PROXY_REQUEST_BODY_TIMEOUT', detail: string): boolean {
    if (this.#answered) return false;
    this.#fail(code, detail);
    return true;
  }

  /** The client went away before the response completed. */
  clientClosed(): void {
    this.clientLastByteMs = performance.now() - this.startedAt;
    this.#clientDone = true;
    if (this.res.writableFinished) {
      this.#finishIfDone();
      return;
    }
    if (!this.#answered) {
      this.#fail('PROXY_CLIENT_ABORT');
      return;
    }
    this.#abortTry(new ProxyError('PROXY_CLIENT_ABORT'));
    this.#finishIfDone();
  }

  headersTimedOut(): void {
    this.#tryTimer = undefined;
    if (this.#responseStarted || this.#answered) return;
    const detail = `${this.member?.url ?? ''} after ${this.service.headersTimeoutMs} ms`;
    if (this.#body === null && IDEMPOTENT.has(this.method) && this.tries < this.service.maxTries) {
      // A per-try timeout: the aborted try ends in onResponseError, which counts the member's
      // failure and retries elsewhere within the budget (or answers 504).
      this.#abortTry(new ProxyError('PROXY_UPSTREAM_HEADERS_TIMEOUT', detail));
      return;
    }
    this.#fail('PROXY_UPSTREAM_HEADERS_TIMEOUT', detail);
  }

  totalTimedOut(): void {
    this.#totalTimer = undefined;
    if (this.#answered && !this.#tryOpen) return;
    if (this.#answered) {
      this.#abortTry(new ProxyError('PROXY_REQUEST_TIMEOUT'));
      return;
    }
    this.#fail('PROXY_REQUEST_TIMEOUT', `after ${this.service.totalTimeoutMs} ms`);
  }

  resumeUpstream(): void {
    this.#controller?.resume();
  }
}

/** The exchange answering `res`, if the proxy is forwarding that request. */
export function exchangeOf(res: ServerResponse): Exchange | undefined {
  return (res as ResponseWithExchange)[EXCHANGE];
}

// Shared listeners: the exchange hangs off the response, so no closure is made per request.
function onClientClose(this: ResponseWithExchange): void {
  this[EXCHANGE]?.clientClosed();
}
function onClientDrain(this: ResponseWithExchange): void {
  this[EXCHANGE]?.resumeUpstream();
}
function onQueueOutcome(outcome: QueueOutcome, waitedMs: number, exchange: Exchange): void {
  if (outcome === 'granted') exchange.granted(waitedMs);
  else exchange.rejected(outcome === 'rejected-overflow' ? 'overflow' : 'timeout', waitedMs);
}
function onHeadersTimeout(exchange: Exchange): void {
  exchange.headersTimedOut();
}
function onTotalTimeout(exchange: Exchange): void {
  exchange.totalTimedOut();
}
