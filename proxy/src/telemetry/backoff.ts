/**
 * Exponential backoff with jitter: the n-th delay after a failure is drawn from
 * [d/2, d] with d = min(max, min * 2^n) ("equal jitter"), so that many proxies that lost the
 * same Elasticsearch do not come back in lockstep, yet none retries sooner than d/2.
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(min: number, max: number, random: () => number = Math.random) {
    this.#min = Math.max(1, min);
    this.#max = Math.max(this.#min, max);
    this.#random = random;
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** The delay before the next attempt, in ms; counts a failure. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#min * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  reset(): void {
    this.#failures = 0;
  }
}
