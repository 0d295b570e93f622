import type { IncomingMessage } from 'node:http';
import { createRequestEventId, eventOutcome, REQUEST_EVENT_DATASET, type QueryRedactor, type RequestEvent, type TerminationCode } from '@lookout/telemetry';
import type { ProxyError } from '../errors.ts';
import { clientAddress } from '../client-address.ts';
import type { Exchange } from '../forward/exchange.ts';
import { normalizeHost } from '../routing/router.ts';
import { continueTrace, type TraceContext } from './trace-context.ts';

/** Where events go (the telemetry pipeline). `emit` must not block or throw. */
export interface RequestEventSink {
  emit(event: RequestEvent): void;
}

/** Who the proxy is, for `service.*` and `observer.*`. */
export interface ProxyIdentity {
  readonly name: string;
  readonly version: string;
  readonly environment?: string;
  readonly nodeName: string;
}

/** What the proxy answered by itself, without an upstream. */
export interface LocalAnswer {
  readonly status: number;
  readonly termination: TerminationCode;
  readonly responseBytes: number;
  /** Health/readiness probes: recorded, flagged so SLIs can leave them out. */
  readonly probe: boolean;
  readonly service?: string;
  readonly error?: ProxyError;
}

const CATEGORY: ['web'] = ['web'];
const TYPE: ['access'] = ['access'];

/**
 * Turns what happened to a request into its one telemetry event: proxied exchanges, answers
 * the proxy gave itself (no route, probes), and requests the HTTP parser rejected.
 */
export class RequestEventRecorder {
  readonly #sink: RequestEventSink;
  readonly #redactor: QueryRedactor;
  readonly #scheme: 'http' | 'https';
  readonly #service: RequestEvent['service'];
  readonly #observer: RequestEvent['observer'];

  /** `scheme`: what clients speak to the listener (`https` when it terminates TLS). */
  constructor(sink: RequestEventSink, identity: ProxyIdentity, redactor: QueryRedactor, scheme: 'http' | 'https' = 'http') {
    this.#sink = sink;
    this.#scheme = scheme;
    this.#redactor = redactor;
    this.#service = { name: identity.name, version: identity.version, node: { name: identity.nodeName } };
    if (identity.environment) this.#service.environment = identity.environment;
    this.#observer = { type: 'proxy', name: identity.nodeName };
  }

  /** A proxied request, once its exchange is over. */
  recordExchange(exchange: Exchange): void {
    const { req, facts, member, error } = exchange;
    const termination: TerminationCode = error?.termination ?? 'ok';
    const status = exchange.status;
    const event = this.#base(req, exchange.target, facts.host, exchange.startedAt, exchange.clientLastByteMs, status, termination, exchange.trace, exchange.clientIp);
    event.http.request.body.bytes = exchange.requestBytes;
    event.http.response.body.bytes = exchange.responseBytes;
    if (facts.userAgent !== undefined) event.user_agent = { original: facts.userAgent };
    if (facts.requestId !== undefined) event.http.request.id = facts.requestId;
    event.service = { ...this.#service, target: { name: exchange.service.name } };
    const timing = event.lookout.timing;
    timing.queue_wait_ms = round(exchange.queueWaitMs);
    if (exchange.connectMs >= 0) timing.connect_ms = round(exchange.connectMs);
    if (exchange.firstByteMs >= 0) timing.upstream_first_byte_ms = round(exchange.firstByteMs);
    if (exchange.lastByteMs >= 0) timing.upstream_last_byte_ms = round(exchange.lastByteMs);
    event.lookout.retries = exchange.tries > 0 ? exchange.tries - 1 : 0;
    if (member !== undefined) {
      event.destination = { address: member.host, port: member.port };
      event.lookout.balancer = { type: exchange.service.config.balancer.type, decision: exchange.decision || 'none' };
      const color = exchange.pool.color;
      event.lookout.upstream =
        color === undefined
          ? { member: member.url, member_id: member.id, pool: exchange.service.name }
          : { member: member.url, member_id: member.id, pool: exchange.service.name, color };
    }
    const failure = error ?? exchange.lastFailure;
    if (failure !== undefined) {
      const cause = error !== undefined ? (error.cause as Error | undefined) : exchange.lastFailure?.cause;
      event.error = { code: failure.code, ...(cause ? { type: cause.constructor.name, message: cause.message } : error ? { type: 'ProxyError', message: error.message } : {}) };
    }
    this.#sink.emit(event);
  }

  /** A request the proxy answered itself (no route, bad target, /health, /ready). */
  recordLocal(req: IncomingMessage, startedAt: number, answer: LocalAnswer): void {
    const facts = headerFacts(req);
    const event = this.#base(req, req.url ?? '/', facts.host, startedAt, performance.now() - startedAt, answer.status, answer.termination, continueTrace(facts.traceparent), clientAddress(req.socket.remoteAddress));
    event.http.response.body.bytes = answer.responseBytes;
    if (facts.userAgent !== undefined) event.user_agent = { original: facts.userAgent };
    if (answer.service !== undefined) event.service = { ...this.#service, target: { name: answer.service } };
    event.lookout.probe = answer.probe;
    if (answer.error !== undefined) event.error = { code: answer.error.code, type: 'ProxyError', message: answer.error.message };
    this.#sink.emit(event);
  }

  /**
   * A request the HTTP parser gave up on (malformed, headers too large or too slow): method and
   * target come from the raw bytes when they can be read.
   */
  recordRejected(rawPacket: Buffer | undefined, remoteAddress: string | undefined, status: number, termination: TerminationCode, code: string, message: string): void {
    const firstLine = rawPacket?.toString('latin1', 0, Math.min(rawPacket.length, 2048)).split('\r\n', 1)[0] ?? '';
    const [method, target, version] = firstLine.split(' ');
    const ip = clientAddress(remoteAddress);
    const now = performance.now();
    const event = this.#base(undefined, target?.startsWith('/') ? target : '/', '', now, 0, status, termination, continueTrace(undefined), ip);
    event.http.request.method = method && /^[A-Z]{1,20}$/.test(method) ? method : 'UNKNOWN';
    event.http.version = version !== undefined && /^HTTP\/\d\.\d$/.test(version) ? version.slice(5) : '1.1';
    event.error = { code, type: 'HttpParserError', message };
    this.#sink.emit(event);
  }

  #base(
    req: IncomingMessage | undefined,
    target: string,
    host: string,
    startedAt: number,
    durationMs: number,
    status: number,
    termination: TerminationCode,
    trace: TraceContext,
    clientIp: string,
  ): RequestEvent {
    const startEpochMs = performance.timeOrigin + startedAt;
    const start = new Date(startEpochMs).toISOString();
    if (target.charCodeAt(0) !== 47 /* / */) target = withoutUserinfo(target);
    const mark = target.indexOf('?');
    const original = this.#redactor.target(target);
    const event: RequestEvent = {
      '@timestamp': start,
      event: {
        id: createRequestEventId(startEpochMs),
        kind: 'event',
        category: CATEGORY,
        type: TYPE,
        outcome: eventOutcome(termination, status),
        duration: Math.round(durationMs * 1e6),
        start,
        end: new Date(startEpochMs + durationMs).toISOString(),
        dataset: REQUEST_EVENT_DATASET,
      },
      url: {
        original,
        path: mark === -1 ? target : target.slice(0, mark) || '/',
        scheme: this.#scheme,
        domain: host === '' ? '' : normalizeHost(host),
      },
      http: {
        version: req?.httpVersion ?? '1.1',
        request: { method: req?.method ?? 'GET', body: { bytes: 0 } },
        response: { status_code: status, body: { bytes: 0 } },
      },
      source: { ip: clientIp || '0.0.0.0' },
      client: { ip: clientIp || '0.0.0.0' },
      service: this.#service,
      observer: this.#observer,
      trace: { id: trace.traceId },
      span: { id: trace.spanId },
      lookout: {
        timing: { queue_wait_ms: 0, client_last_byte_ms: round(durationMs) },
        retries: 0,
        termination,
        probe: false,
      },
    };
    if (mark !== -1 && mark < original.length - 1) event.url.query = original.slice(original.indexOf('?') + 1);
    return event;
  }
}

/**
 * An absolute-form target without its userinfo (`http://user:password@host/` ->
 * `http://host/`): credentials never reach an event (RFC 9110 section 4.2.4 forbids them there).
 */
function withoutUserinfo(target: string): string {
  const scheme = target.indexOf('://');
  if (scheme === -1) return target;
  const start = scheme + 3;
  let end = target.length;
  for (let i = start; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code === 47 /* / */ || code === 63 /* ? */ || code === 35 /* # */) {
      end = i;
      break;
    }
  }
  const at = target.lastIndexOf('@', end - 1);
  return at < start ? target : target.slice(0, start) + target.slice(at + 1);
}

/** Milliseconds rounded to 1 µs. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The few headers a local answer's event needs, from rawHeaders. */
function headerFacts(req: IncomingMessage): { host: string; traceparent: string | undefined; userAgent: string | undefined } {
  const raw = req.rawHeaders;
  let host = '';
  let traceparent: string | undefined;
  let userAgent: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'host') host = raw[i + 1]!;
    else if (name === 'traceparent') traceparent = raw[i + 1];
    else if (name === 'user-agent') userAgent = raw[i + 1];
  }
  return { host, traceparent, userAgent };
}
