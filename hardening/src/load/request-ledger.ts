/** What the client saw of one request. */
export const OUTCOME = {
  /** Not answered yet (or never sent). */
  pending: 0,
  /** A complete response with a status below 500. */
  ok: 1,
  /** A complete response with a status of 500 or more. */
  errorStatus: 2,
  /** Response headers arrived, then the body failed (reset, truncated). */
  brokenBody: 3,
  /** No response at all: refused, reset before the headers, timed out. */
  noResponse: 4,
} as const;
export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

/** One request that the client saw fail (kept in full: failures are few). */
export interface ClientFailure {
  readonly seq: number;
  readonly method: string;
  /** Whether the request asked the upstream for this failure on purpose (`x-echo-status`). */
  readonly injected: boolean;
  readonly outcome: Outcome;
  /** 0 when no response arrived. */
  readonly status: number;
  /** Node's error code (`ECONNREFUSED`, `ECONNRESET`, ...) or `HTTP_<status>`. */
  readonly code: string;
  /** `Date.now()` when the request was sent and when it ended. */
  readonly sentAt: number;
  readonly endedAt: number;
}

/**
 * Every request of one load run by sequence number, in typed arrays (a 30-minute soak at
 * 500 req/s is 900 k requests: one byte each), plus the failures in full.
 */
export class RequestLedger {
  readonly prefix: string;
  #outcomes: Uint8Array;
  #methods: Uint8Array;
  #injected: Uint8Array;
  #count = 0;
  readonly failures: ClientFailure[] = [];
  /** `Date.now()` of the last request that ended with a complete non-injected 2xx-4xx response. */
  lastSuccessAt = 0;

  constructor(prefix: string, capacity: number) {
    this.prefix = prefix;
    this.#outcomes = new Uint8Array(capacity);
    this.#methods = new Uint8Array(capacity);
    this.#injected = new Uint8Array(capacity);
  }

  /** The `x-request-id` of request `seq`. */
  idOf(seq: number): string {
    return `${this.prefix}-${seq}`;
  }

  /** The sequence number in an id of this ledger, or -1. */
  seqOf(id: string): number {
    if (!id.startsWith(`${this.prefix}-`)) return -1;
    const seq = Number(id.slice(this.prefix.length + 1));
    return Number.isInteger(seq) && seq >= 0 && seq < this.#count ? seq : -1;
  }

  /** Requests started so far. */
  get count(): number {
    return this.#count;
  }

  get capacity(): number {
    return this.#outcomes.length;
  }

  /** Reserves the next sequence number. */
  start(method: string, injected: boolean): number {
    const seq = this.#count++;
    this.#methods[seq] = method === 'GET' ? 0 : 1;
    this.#injected[seq] = injected ? 1 : 0;
    return seq;
  }

  finish(seq: number, outcome: Outcome, failure?: Omit<ClientFailure, 'seq' | 'outcome' | 'method' | 'injected'>): void {
    this.#outcomes[seq] = outcome;
    if (outcome === OUTCOME.ok) {
      if (this.#injected[seq] === 0) this.lastSuccessAt = Date.now();
      return;
    }
    this.failures.push({ seq, method: this.isGet(seq) ? 'GET' : 'POST', injected: this.#injected[seq] === 1, outcome, status: failure?.status ?? 0, code: failure?.code ?? 'UNKNOWN', sentAt: failure?.sentAt ?? 0, endedAt: failure?.endedAt ?? Date.now() });
  }

  outcome(seq: number): Outcome {
    return this.#outcomes[seq] as Outcome;
  }

  isGet(seq: number): boolean {
    return this.#methods[seq] === 0;
  }

  isInjected(seq: number): boolean {
    return this.#injected[seq] === 1;
  }

  /** Whether the proxy certainly handled the request: the client got at least the response headers. */
  answered(seq: number): boolean {
    const outcome = this.#outcomes[seq];
    return outcome === OUTCOME.ok || outcome === OUTCOME.errorStatus || outcome === OUTCOME.brokenBody;
  }

  /** Failures the client would call errors: not injected on purpose. */
  unexpectedFailures(): ClientFailure[] {
    return this.failures.filter((failure) => !failure.injected);
  }

  /** Totals by kind, for reports. */
  summary(): { sent: number; answered: number; pending: number; getErrors: number; otherErrors: number; injected: number } {
    let answered = 0;
    let pending = 0;
    let injected = 0;
    for (let seq = 0; seq < this.#count; seq++) {
      if (this.answered(seq)) answered++;
      if (this.#outcomes[seq] === OUTCOME.pending) pending++;
      if (this.#injected[seq] === 1) injected++;
    }
    const unexpected = this.unexpectedFailures();
    return {
      sent: this.#count,
      answered,
      pending,
      getErrors: unexpected.filter((failure) => failure.method === 'GET').length,
      otherErrors: unexpected.filter((failure) => failure.method !== 'GET').length,
      injected,
    };
  }
}
