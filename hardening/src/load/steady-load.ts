import { Agent, request } from 'node:http';
import { OUTCOME, RequestLedger } from './request-ledger.ts';

export interface SteadyLoadOptions {
  /** Proxy base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** `Host` header that routes to the service under test. */
  readonly host: string;
  readonly ratePerSecond: number;
  /** Hard bounds: the load stops at whichever comes first. */
  readonly maxRequests: number;
  readonly maxDurationMs: number;
  /** Prefix of every `x-request-id`, unique per run. */
  readonly idPrefix: string;
  /** Every n-th request is a POST with a small JSON body (0: only GETs). Default 10. */
  readonly postEvery?: number;
  /** Client timeout per request; default 10 s. */
  readonly timeoutMs?: number;
  /** Keep-alive connections at most; default 32. */
  readonly connections?: number;
}

/** A running load: its ledger, and controls. */
export interface SteadyLoad {
  readonly ledger: RequestLedger;
  /** From now on, this share of requests asks the upstream for a 503 (spread evenly). */
  setInjectedErrorShare(share: number): void;
  /** Requests in flight now. */
  inFlight(): number;
  /** Stops sending, waits for the requests in flight, closes the connections. */
  stop(): Promise<void>;
}

const TICK_MS = 10;

/**
 * Sends `ratePerSecond` requests per second (open model: the schedule does not wait for
 * answers) with `x-request-id: <idPrefix>-<seq>`, recording what the client saw of each in a
 * {@link RequestLedger}. Node's own HTTP client with keep-alive, so nothing is retried behind
 * the ledger's back.
 */
export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const ledger = new RequestLedger(options.idPrefix, options.maxRequests);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections ?? 32 });
  const postEvery = options.postEvery ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = new URL(options.url);
  let share = 0;
  let sincePhase = 0;
  let stopped = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const started = performance.now();

  const send = (): void => {
    const injected = Math.floor((sincePhase + 1) * share) > Math.floor(sincePhase * share);
    sincePhase++;
    const isPost = postEvery > 0 && ledger.count % postEvery === postEvery - 1;
    const method = isPost ? 'POST' : 'GET';
    const seq = ledger.start(method, injected);
    const sentAt = Date.now();
    const body = isPost ? JSON.stringify({ seq, item: 'hardening' }) : undefined;
    const headers: Record<string, string> = { host: options.host, 'x-request-id': ledger.idOf(seq) };
    if (injected) headers['x-echo-status'] = '503';
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    inFlight++;
    let settled = false;
    const settle = (outcome: (typeof OUTCOME)[keyof typeof OUTCOME], status: number, code: string): void => {
      if (settled) return;
      settled = true;
      ledger.finish(seq, outcome, { status, code, sentAt, endedAt: Date.now() });
      inFlight--;
      if (inFlight === 0 && drained !== undefined) drained();
    };
    const req = request(
      { host: base.hostname, port: base.port, path: `/orders/${seq}`, method, headers, agent, timeout: timeoutMs },
      (res) => {
        const status = res.statusCode ?? 0;
        let complete = false;
        res.on('end', () => {
          complete = true;
          settle(status >= 500 ? OUTCOME.errorStatus : OUTCOME.ok, status, status >= 500 ? `HTTP_${status}` : 'OK');
        });
        res.on('error', () => undefined);
        res.on('close', () => {
          if (!complete) settle(OUTCOME.brokenBody, status, 'BODY_INCOMPLETE');
        });
        res.resume();
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => settle(OUTCOME.noResponse, 0, error.code ?? error.message));
    req.end(body);
  };

  const timer = setInterval(() => {
    if (stopped) return;
    const elapsed = performance.now() - started;
    if (elapsed >= options.maxDurationMs) {
      stopped = true;
      return;
    }
    const due = Math.min(options.maxRequests, Math.floor((elapsed / 1_000) * options.ratePerSecond));
    while (ledger.count < due) send();
    if (ledger.count >= options.maxRequests) stopped = true;
  }, TICK_MS);

  return {
    ledger,
    setInjectedErrorShare(next) {
      share = next;
      sincePhase = 0;
    },
    inFlight: () => inFlight,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      agent.destroy();
    },
  };
}
