/** Settings of a concurrency limiter; times in ms. */
export interface ConcurrencyLimiterOptions {
  /** Requests allowed in flight at once (>= 1). */
  readonly maxConcurrent: number;
  /** Requests that may wait for a slot; 0 = no queue, overflow at once. Default 0. */
  readonly queueSize?: number;
  /** Longest wait for a slot; default 1000. */
  readonly queueTimeoutMs?: number;
  /** Monotonic clock in ms for wait times; default `performance.now`. Injected by tests. */
  readonly now?: () => number;
}

/** How a queued request ended: it got a slot, the queue was full, or it waited too long. */
export type QueueOutcome = 'granted' | 'rejected-overflow' | 'rejected-timeout';

/**
 * Told once how a queued request ended, with the time it waited (ms) and the context given to
 * `enqueue`. Passing a shared function plus a context avoids a closure per queued request.
 * It must not throw.
 */
export type QueueCallback<T> = (outcome: QueueOutcome, waitMs: number, context: T) => void;

/** Cumulative counters for metrics; read them, don't write them. */
export class ConcurrencyLimiterStats {
  /** Requests that got a slot after waiting in the queue. */
  grantedFromQueue = 0;
  rejectedOverflow = 0;
  rejectedTimeout = 0;
  /** Waiters withdrawn with `cancel` (client gone). */
  cancelled = 0;
  /** `release` calls with no slot held: a bug in the caller, counted instead of thrown. */
  overReleases = 0;
}

/**
 * Limits the requests in flight to one pool, with a bounded FIFO queue for the excess.
 *
 * Under the limit the hot path is `tryAcquire()` + `release()`: two counter updates, no
 * allocation. At the limit, `enqueue` parks the request in a ring buffer preallocated to
 * `queueSize`; `release` hands its slot straight to the oldest waiter, so the limit is never
 * exceeded and a queued request cannot be overtaken. Queue timeouts need one timer for the
 * whole queue, not one per waiter: every waiter gets the same timeout, so deadlines expire in
 * queue order and the timer only ever waits for the head's.
 *
 * @example
 * if (limiter.tryAcquire()) forward(request);
 * else limiter.enqueue(onQueueOutcome, request); // granted -> forward, rejected-* -> 503
 * // when the exchange ends, for a granted slot: limiter.release();
 */
export class ConcurrencyLimiter {
  /** Cumulative counters for metrics. */
  readonly stats = new ConcurrencyLimiterStats();
  readonly #max: number;
  readonly #capacity: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #active = 0;

  // The queue: a ring of parallel arrays, `#size` entries from `#head`.
  readonly #callbacks: (QueueCallback<never> | undefined)[];
  readonly #contexts: unknown[];
  readonly #enqueuedAt: Float64Array;
  readonly #tickets: Float64Array;
  #head = 0;
  #size = 0;
  #nextTicket = 0;
  #timer: NodeJS.Timeout | undefined = undefined;
  readonly #onTimer = (): void => this.#expire();

  // Releases made from inside a grant callback, run by the outer `release` loop.
  #dispatching = false;
  #pendingReleases = 0;

  constructor(options: ConcurrencyLimiterOptions) {
    const { maxConcurrent, queueSize = 0, queueTimeoutMs = 1_000 } = options;
    if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
      throw new RangeError(`concurrency limiter: maxConcurrent must be an integer >= 1, got ${maxConcurrent}`);
    }
    if (!(Number.isInteger(queueSize) && queueSize >= 0)) {
      throw new RangeError(`concurrency limiter: queueSize must be an integer >= 0, got ${queueSize}`);
    }
    if (!(queueTimeoutMs > 0 && Number.isFinite(queueTimeoutMs))) {
      throw new RangeError(`concurrency limiter: queueTimeoutMs must be a positive number, got ${queueTimeoutMs}`);
    }
    this.#max = maxConcurrent;
    this.#capacity = queueSize;
    this.#timeoutMs = queueTimeoutMs;
    this.#now = options.now ?? performance.now.bind(performance);
    // Filled up front so the arrays keep one element kind and never grow.
    this.#callbacks = new Array<QueueCallback<never> | undefined>(queueSize).fill(undefined);
    this.#contexts = new Array<unknown>(queueSize).fill(undefined);
    this.#enqueuedAt = new Float64Array(queueSize);
    this.#tickets = new Float64Array(queueSize);
  }

  /** Slots held now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.#size;
  }

  /** Takes a slot if one is free. The fast path: no allocation, no clock. */
  tryAcquire(): boolean {
    if (this.#active < this.#max) {
      this.#active++;
      return true;
    }
    return false;
  }

  /**
   * Waits for a slot; `callback` is told once how it ended. A slot that is free at once is
   * granted synchronously (wait 0), and a full queue rejects synchronously. Returns a ticket
   * for `cancel` while the request waits, or -1 when the outcome was already delivered.
   */
  enqueue<T>(callback: QueueCallback<T>, context: T): number {
    if (this.#size === 0 && this.#active < this.#max) {
      this.#active++;
      callback('granted', 0, context);
      return -1;
    }
    if (this.#size === this.#capacity) {
      this.stats.rejectedOverflow++;
      callback('rejected-overflow', 0, context);
      return -1;
    }
    const index = (this.#head + this.#size) % this.#capacity;
    const ticket = this.#nextTicket++;
    this.#callbacks[index] = callback as QueueCallback<never>;
    this.#contexts[index] = context;
    this.#enqueuedAt[index] = this.#now();
    this.#tickets[index] = ticket;
    this.#size++;
    if (this.#timer === undefined) this.#timer = setTimeout(this.#onTimer, this.#timeoutMs).unref();
    return ticket;
  }

  /**
   * Withdraws a waiting request (its client went away) without calling its callback. Returns
   * false when the ticket no longer waits (already granted, rejected or cancelled).
   */
  cancel(ticket: number): boolean {
    const capacity = this.#capacity;
    for (let offset = 0; offset < this.#size; offset++) {
      const index = (this.#head + offset) % capacity;
      if (this.#tickets[index] !== ticket) continue;
      // Close the gap by moving the younger waiters one place forward: O(queue), rare.
      for (let next = offset + 1; next < this.#size; next++) {
        const from = (this.#head + next) % capacity;
        const to = (from + capacity - 1) % capacity;
        this.#callbacks[to] = this.#callbacks[from];
        this.#contexts[to] = this.#contexts[from];
        this.#enqueuedAt[to] = this.#enqueuedAt[from]!;
        this.#tickets[to] = this.#tickets[from]!;
      }
      this.#size--;
      const last = (this.#head + this.#size) % capacity;
      this.#callbacks[last] = undefined;
      this.#contexts[last] = undefined;
      this.stats.cancelled++;
      if (this.#size === 0) this.#stopTimer();
      return true;
    }
    return false;
  }

  /** Gives a slot back: to the oldest waiter if any, else to the pool. Once per granted slot. */
  release(): void {
    if (this.#active - this.#pendingReleases <= 0) {
      this.stats.overReleases++;
      return;
    }
    if (this.#dispatching) {
      // A grant callback released at once (its client was gone): the loop below takes it,
      // instead of recursing once per waiter.
      this.#pendingReleases++;
      return;
    }
    this.#dispatching = true;
    let releases = 1;
    try {
      while (releases > 0) {
        releases--;
        if (this.#size === 0) {
          this.#active--;
        } else {
          const head = this.#head;
          const callback = this.#callbacks[head]!;
          const context = this.#contexts[head];
          const enqueuedAt = this.#enqueuedAt[head]!;
          this.#dropHead();
          this.stats.grantedFromQueue++;
          callback('granted', this.#now() - enqueuedAt, context as never);
        }
        releases += this.#pendingReleases;
        this.#pendingReleases = 0;
      }
    } finally {
      // Only non-zero if a callback threw: keep the releases for the next call.
      this.#pendingReleases += releases;
      this.#dispatching = false;
    }
  }

  /** Removes the head waiter (read it first); stops the timer when the queue empties. */
  #dropHead(): void {
    const head = this.#head;
    this.#callbacks[head] = undefined;
    this.#contexts[head] = undefined;
    this.#head = head + 1 === this.#capacity ? 0 : head + 1;
    this.#size--;
    if (this.#size === 0) this.#stopTimer();
  }

  /** Rejects the waiters whose deadline has passed, then waits for the new head's. */
  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    while (this.#size > 0) {
      const head = this.#head;
      const enqueuedAt = this.#enqueuedAt[head]!;
      const remaining = enqueuedAt + this.#timeoutMs - now;
      if (remaining > 0) {
        // A callback below may have enqueued and armed a timer for its own, later deadline.
        this.#stopTimer();
        this.#timer = setTimeout(this.#onTimer, remaining).unref();
        return;
      }
      const callback = this.#callbacks[head]!;
      const context = this.#contexts[head];
      this.#dropHead();
      this.stats.rejectedTimeout++;
      callback('rejected-timeout', now - enqueuedAt, context as never);
    }
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
