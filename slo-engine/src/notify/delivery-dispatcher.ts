import type { AttemptRecord, Delivery, EngineStore } from '../persistence/engine-store.ts';
import type { DeliveryChannel, DeliveryOutcome, Notifier } from './notification.ts';
import { DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from './retry-policy.ts';

/** Structured logging the dispatcher needs (the engine's logger fits). */
export interface DeliveryLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** The outbox operations the dispatcher uses. */
export type DeliveryOutbox = Pick<EngineStore, 'dueDeliveries' | 'claimDelivery' | 'finishAttempt'>;

export interface DeliveryDispatcherOptions {
  readonly store: DeliveryOutbox;
  /** One per channel. A delivery of a channel without a notifier is dead-lettered. */
  readonly notifiers: readonly Notifier[];
  /** This replica's name in claims. */
  readonly holder: string;
  readonly retry?: RetryPolicy;
  /** Attempts in flight at once; default 8. */
  readonly concurrency?: number;
  /** Attempts in flight at once to one target, so a hanging receiver holds at most this many slots; default 2. */
  readonly perTargetConcurrency?: number;
  /** Due deliveries read per round; default 100. */
  readonly batchSize?: number;
  /** How long a claim lasts; longer than any attempt can take (notifier timeouts); default 120 s. */
  readonly claimMs?: number;
  /** The loop's longest sleep: it also finds deliveries other replicas or the engine created; default 2 s. */
  readonly pollIntervalMs?: number;
  /** The loop's shortest sleep between rounds; default 20 ms. */
  readonly minSleepMs?: number;
  readonly logger?: DeliveryLogger;
  /** Epoch ms; default `Date.now`. */
  readonly clock?: () => number;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/** Counts by channel. */
export type ChannelCounts = Record<DeliveryChannel, number>;

/** Monotonic counters since start, for `/metrics`. */
export interface DeliveryCounters {
  /** Attempts made (claimed and sent). */
  readonly attempts: ChannelCounts;
  readonly delivered: ChannelCounts;
  /** Failed attempts scheduled for another try. */
  readonly retried: ChannelCounts;
  /** Deliveries dead-lettered (permanent failure or attempts exhausted). */
  readonly dead: ChannelCounts;
  /** Claims lost to another replica (or to a delivery no longer pending). */
  readonly claimConflicts: ChannelCounts;
}

/** What one `runOnce` did. */
export interface DispatchSummary {
  readonly due: number;
  readonly delivered: number;
  readonly retried: number;
  readonly dead: number;
  /** Claimed by another replica meanwhile. */
  readonly skipped: number;
}

type AttemptResult = 'delivered' | 'retried' | 'dead' | 'skipped' | 'error';

const zeroCounts = (): ChannelCounts => ({ webhook: 0, email: 0 });

/**
 * Sends due deliveries from the store's outbox: claims each (a replica that loses the claim
 * skips it), calls its channel's notifier, and writes the result back: delivered, pending with
 * the next attempt time from the retry policy, or dead with the last error.
 *
 * Concurrency is bounded overall and per target, so a receiver that hangs until its timeout
 * holds at most `perTargetConcurrency` slots and every other delivery goes on. Delivery is
 * at least once: a replica that dies mid-attempt leaves a claim that expires, and the next
 * attempt carries the same delivery id for the receiver to deduplicate.
 *
 * Logs (with `code`): SLO_NOTIFY_WEBHOOK_FAILED / SLO_NOTIFY_EMAIL_FAILED (warn) per failed
 * attempt, SLO_NOTIFY_DEAD_LETTER (error) per dead-lettered delivery, SLO_STATE_STORE_FAILED
 * when the outbox cannot be read or written.
 */
export class DeliveryDispatcher {
  readonly #store: DeliveryOutbox;
  readonly #notifiers: ReadonlyMap<DeliveryChannel, Notifier>;
  readonly #holder: string;
  readonly #retry: RetryPolicy;
  readonly #concurrency: number;
  readonly #perTarget: number;
  readonly #batchSize: number;
  readonly #claimMs: number;
  readonly #pollIntervalMs: number;
  readonly #minSleepMs: number;
  readonly #logger: DeliveryLogger | undefined;
  readonly #clock: () => number;
  readonly #random: () => number;

  readonly #counters = { attempts: zeroCounts(), delivered: zeroCounts(), retried: zeroCounts(), dead: zeroCounts(), claimConflicts: zeroCounts() };
  /** Delivery ids in flight, and in-flight count per target. */
  readonly #inFlight = new Map<string, Promise<AttemptResult>>();
  readonly #perTargetInFlight = new Map<string, number>();
  /** Next-attempt times this dispatcher scheduled, to wake for them. */
  readonly #scheduled = new Set<number>();

  #running = false;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wakeUp: (() => void) | undefined;
  #wakeRequested = false;

  constructor(options: DeliveryDispatcherOptions) {
    this.#store = options.store;
    this.#notifiers = new Map(options.notifiers.map((notifier) => [notifier.channel, notifier]));
    this.#holder = options.holder;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#concurrency = options.concurrency ?? 8;
    this.#perTarget = options.perTargetConcurrency ?? 2;
    this.#batchSize = options.batchSize ?? 100;
    this.#claimMs = options.claimMs ?? 120_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.#minSleepMs = options.minSleepMs ?? 20;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** A snapshot of the counters. */
  counters(): DeliveryCounters {
    const copy = (counts: ChannelCounts): ChannelCounts => ({ ...counts });
    const c = this.#counters;
    return { attempts: copy(c.attempts), delivered: copy(c.delivered), retried: copy(c.retried), dead: copy(c.dead), claimConflicts: copy(c.claimConflicts) };
  }

  /** Attempts in flight now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * One round: every delivery due at `now` (up to the batch size) is attempted once, within
   * the concurrency bounds; resolves when all are done. For tests and one-shot use; `start()`
   * runs rounds continuously.
   */
  async runOnce(now: number = this.#clock()): Promise<DispatchSummary> {
    const due = await this.#due(now);
    const queue = due.filter((delivery) => !this.#inFlight.has(delivery.id));
    const results: AttemptResult[] = [];
    const mine = new Set<Promise<AttemptResult>>();
    while (queue.length > 0 || mine.size > 0) {
      for (let i = 0; i < queue.length && this.#inFlight.size < this.#concurrency; ) {
        const delivery = queue[i] as Delivery;
        if (!this.#hasTargetSlot(delivery)) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        const attempt = this.#begin(delivery, now);
        mine.add(attempt);
        void attempt.then((result) => {
          results.push(result);
          mine.delete(attempt);
        });
      }
      if (mine.size === 0) break; // nothing startable (slots held by the loop): leave the rest due
      await Promise.race(mine);
      await Promise.resolve();
    }
    const count = (kind: AttemptResult): number => results.filter((r) => r === kind).length;
    return { due: due.length, delivered: count('delivered'), retried: count('retried'), dead: count('dead'), skipped: count('skipped') };
  }

  /** Starts the loop: rounds whenever an attempt finishes, at the earliest scheduled retry, on `wake()`, and at least every poll interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Asks for a round now (e.g. after the engine committed new deliveries). */
  wake(): void {
    this.#wakeRequested = true;
    this.#wakeUp?.();
  }

  /** Stops the loop and waits for the attempts in flight (bounded by the notifier timeouts). */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
    this.#loop = undefined;
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#wakeRequested = false;
      const now = this.#clock();
      let failed = false;
      if (this.#inFlight.size < this.#concurrency) {
        try {
          for (const delivery of await this.#due(now)) {
            if (this.#inFlight.size >= this.#concurrency) break;
            if (this.#inFlight.has(delivery.id) || !this.#hasTargetSlot(delivery)) continue;
            // A finished attempt frees slots: look again at once. A lost claim or a store error
            // does not (that would spin while another replica holds the claim or the store is down).
            void this.#begin(delivery, now).then((result) => {
              if (result !== 'skipped' && result !== 'error') this.wake();
            });
          }
        } catch {
          failed = true; // logged by #due; retry after the poll interval
        }
      }
      if (!this.#running) break;
      await this.#sleep(failed ? this.#pollIntervalMs : this.#sleepMs());
    }
  }

  /** Until the earliest scheduled retry, between the minimum sleep and the poll interval. */
  #sleepMs(): number {
    const now = this.#clock();
    let earliest = Number.POSITIVE_INFINITY;
    for (const at of this.#scheduled) {
      if (at <= now) this.#scheduled.delete(at);
      else if (at < earliest) earliest = at;
    }
    return Math.min(this.#pollIntervalMs, Math.max(this.#minSleepMs, earliest - now));
  }

  #sleep(ms: number): Promise<void> {
    if (this.#wakeRequested) return new Promise((resolve) => setTimeout(resolve, this.#minSleepMs));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(this.#timer);
        this.#wakeUp = undefined;
        resolve();
      };
      this.#wakeUp = done;
      this.#timer = setTimeout(done, ms);
    });
  }

  async #due(now: number): Promise<Delivery[]> {
    try {
      return await this.#store.dueDeliveries(now, this.#batchSize);
    } catch (error) {
      this.#logger?.error({ code: 'SLO_STATE_STORE_FAILED', operation: 'dueDeliveries', error }, 'cannot read due deliveries from the outbox');
      throw error;
    }
  }

  #hasTargetSlot(delivery: Delivery): boolean {
    return (this.#perTargetInFlight.get(targetKey(delivery)) ?? 0) < this.#perTarget;
  }

  /** Takes the slots synchronously, then attempts; the slots are freed when it settles. */
  #begin(delivery: Delivery, now: number): Promise<AttemptResult> {
    const key = targetKey(delivery);
    this.#perTargetInFlight.set(key, (this.#perTargetInFlight.get(key) ?? 0) + 1);
    const attempt = this.#attempt(delivery, now).finally(() => {
      this.#inFlight.delete(delivery.id);
      const left = (this.#perTargetInFlight.get(key) ?? 1) - 1;
      if (left > 0) this.#perTargetInFlight.set(key, left);
      else this.#perTargetInFlight.delete(key);
    });
    this.#inFlight.set(delivery.id, attempt);
    return attempt;
  }

  async #attempt(delivery: Delivery, now: number): Promise<AttemptResult> {
    const channel = delivery.channel;
    let claimed: boolean;
    try {
      claimed = await this.#store.claimDelivery(delivery.id, this.#holder, now, now + this.#claimMs);
    } catch (error) {
      this.#logger?.error({ code: 'SLO_STATE_STORE_FAILED', operation: 'claimDelivery', delivery: delivery.id, error }, 'cannot claim a delivery');
      return 'error';
    }
    if (!claimed) {
      this.#counters.claimConflicts[channel]++;
      return 'skipped';
    }

    const attempt = delivery.attempts + 1;
    this.#counters.attempts[channel]++;
    const outcome = await this.#send(delivery, attempt);
    const finishedAt = this.#clock();
    const fields = {
      delivery: delivery.id,
      notification: delivery.notification.id,
      slo: delivery.notification.slo.name,
      type: delivery.notification.type,
      channel,
      target: delivery.target,
      attempt,
    };

    let result: AttemptResult;
    let record: AttemptRecord;
    if (outcome.ok) {
      result = 'delivered';
      record = { status: 'delivered', attempts: attempt, nextAttemptAt: finishedAt, lastError: null, deliveredAt: finishedAt };
      this.#counters.delivered[channel]++;
      this.#logger?.info(fields, 'notification delivered');
    } else {
      const decision = decideRetry(this.#retry, { attempt, permanent: outcome.permanent, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) }, this.#random);
      const code = channel === 'webhook' ? 'SLO_NOTIFY_WEBHOOK_FAILED' : 'SLO_NOTIFY_EMAIL_FAILED';
      if (decision.action === 'retry') {
        result = 'retried';
        const nextAttemptAt = finishedAt + decision.delayMs;
        record = { status: 'pending', attempts: attempt, nextAttemptAt, lastError: outcome.error, deliveredAt: null };
        this.#counters.retried[channel]++;
        this.#scheduled.add(nextAttemptAt);
        this.#logger?.warn(
          { code, ...fields, error: outcome.error, permanent: false, retryAfterMs: outcome.retryAfterMs, retryInMs: decision.delayMs, nextAttemptAt: new Date(nextAttemptAt).toISOString() },
          `notification attempt ${attempt} of ${this.#retry.maxAttempts} failed; retrying`,
        );
      } else {
        result = 'dead';
        record = { status: 'dead', attempts: attempt, nextAttemptAt: finishedAt, lastError: outcome.error, deliveredAt: null };
        this.#counters.dead[channel]++;
        this.#logger?.warn({ code, ...fields, error: outcome.error, permanent: outcome.permanent }, `notification attempt ${attempt} failed`);
        this.#logger?.error(
          { code: 'SLO_NOTIFY_DEAD_LETTER', ...fields, error: outcome.error, reason: decision.reason },
          decision.reason === 'permanent' ? 'notification dead-lettered: permanent failure' : `notification dead-lettered after ${attempt} attempts`,
        );
      }
    }

    try {
      await this.#store.finishAttempt(delivery.id, record, this.#holder);
    } catch (error) {
      // The claim expires and the delivery is attempted again (same id: receivers deduplicate).
      this.#logger?.error({ code: 'SLO_STATE_STORE_FAILED', operation: 'finishAttempt', ...fields, status: record.status, error }, 'cannot record a delivery attempt');
      return 'error';
    }
    return result;
  }

  async #send(delivery: Delivery, attempt: number): Promise<DeliveryOutcome> {
    const notifier = this.#notifiers.get(delivery.channel);
    if (notifier === undefined) return { ok: false, permanent: true, error: `no ${delivery.channel} notifier is configured` };
    try {
      return await notifier.deliver(delivery.target, delivery.id, delivery.notification, attempt);
    } catch (error) {
      return { ok: false, permanent: false, error: `${delivery.channel} notifier failed: ${(error as Error).message ?? String(error)}` };
    }
  }
}

function targetKey(delivery: Delivery): string {
  return `${delivery.channel}:${delivery.target}`;
}
