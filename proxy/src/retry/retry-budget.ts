/** Settings of a retry budget. */
export interface RetryBudgetOptions {
  /** Retries allowed per original request in the window; default 0.2. */
  readonly ratio?: number;
  /** Retries allowed per second whatever the traffic, so quiet services can still retry; default 10. */
  readonly minRetriesPerSecond?: number;
  /** Length of the sliding window in ms; default 10 000. */
  readonly windowMs?: number;
  /** Buckets the window is counted in; default 10 (1 s each by default). */
  readonly buckets?: number;
}

/**
 * A retry budget per service, as Linkerd's (`retryRatio`, `minRetriesPerSecond`, `ttl`) and
 * in the spirit of Envoy's: a retry is allowed while the retries made in the last `windowMs`
 * stay below `max(minRetriesPerSecond * windowMs / 1000, ratio * requests in the window)`.
 * When an upstream fails wholesale, retries then add at most `ratio` extra load instead of
 * multiplying it by the number of attempts.
 *
 * Counted in a ring of buckets rather than a list of timestamps: constant memory, and each call
 * is a division and two increments. The window slides by whole buckets, so it covers between
 * `windowMs - windowMs / buckets` and `windowMs` of history.
 *
 * Call `recordRequest` once per original request (not per retry) and `tryRetry` before each
 * retry; `now` is any millisecond clock that does not run backwards much (a step back is
 * counted in the current bucket).
 */
export class RetryBudget {
  /** Retries allowed and refused since creation, for metrics. */
  retriesAllowed = 0;
  retriesDenied = 0;
  readonly #ratio: number;
  readonly #minRetries: number;
  readonly #bucketMs: number;
  readonly #requests: Float64Array;
  readonly #retries: Float64Array;
  #requestTotal = 0;
  #retryTotal = 0;
  /** Number of the bucket counted in now (now / bucketMs); -Infinity before the first call. */
  #current = Number.NEGATIVE_INFINITY;

  constructor(options: RetryBudgetOptions = {}) {
    const { ratio = 0.2, minRetriesPerSecond = 10, windowMs = 10_000, buckets = 10 } = options;
    if (!(ratio >= 0 && Number.isFinite(ratio))) throw new RangeError(`retry budget: ratio must be >= 0, got ${ratio}`);
    if (!(minRetriesPerSecond >= 0 && Number.isFinite(minRetriesPerSecond))) {
      throw new RangeError(`retry budget: minRetriesPerSecond must be >= 0, got ${minRetriesPerSecond}`);
    }
    if (!(windowMs > 0 && Number.isFinite(windowMs))) throw new RangeError(`retry budget: windowMs must be > 0, got ${windowMs}`);
    if (!(Number.isInteger(buckets) && buckets >= 1)) throw new RangeError(`retry budget: buckets must be an integer >= 1, got ${buckets}`);
    this.#ratio = ratio;
    this.#minRetries = (minRetriesPerSecond * windowMs) / 1_000;
    this.#bucketMs = windowMs / buckets;
    this.#requests = new Float64Array(buckets);
    this.#retries = new Float64Array(buckets);
  }

  /** Counts an original request at `now`. */
  recordRequest(now: number): void {
    this.#advance(now);
    this.#requests[this.#current % this.#requests.length]!++;
    this.#requestTotal++;
  }

  /** Whether a retry at `now` fits the budget; if it does, it is counted. */
  tryRetry(now: number): boolean {
    this.#advance(now);
    if (this.#retryTotal >= Math.max(this.#minRetries, this.#ratio * this.#requestTotal)) {
      this.retriesDenied++;
      return false;
    }
    this.#retries[this.#current % this.#retries.length]!++;
    this.#retryTotal++;
    this.retriesAllowed++;
    return true;
  }

  /** Retries still allowed at `now` (for metrics and tests); may be fractional. */
  remaining(now: number): number {
    this.#advance(now);
    return Math.max(0, Math.max(this.#minRetries, this.#ratio * this.#requestTotal) - this.#retryTotal);
  }

  /** Moves the window to the bucket of `now`, emptying the buckets it leaves behind. */
  #advance(now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    const current = this.#current;
    if (bucket <= current) return;
    const requests = this.#requests;
    const retries = this.#retries;
    const size = requests.length;
    if (bucket - current >= size) {
      requests.fill(0);
      retries.fill(0);
      this.#requestTotal = 0;
      this.#retryTotal = 0;
    } else {
      for (let b = current + 1; b <= bucket; b++) {
        const slot = b % size;
        this.#requestTotal -= requests[slot]!;
        this.#retryTotal -= retries[slot]!;
        requests[slot] = 0;
        retries[slot] = 0;
      }
    }
    this.#current = bucket;
  }
}
