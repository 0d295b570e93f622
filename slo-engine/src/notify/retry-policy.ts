/**
 * When to try a failed delivery again, pure: exponential backoff with full jitter (a random
 * delay in [0, min(maxBackoff, initialBackoff * factor^(attempt-1))], which spreads retries of
 * many deliveries that failed together), never earlier than a receiver's Retry-After asks (up
 * to `maxRetryAfterMs`), and dead after `maxAttempts` attempts or a permanent failure.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; default 8. */
  readonly maxAttempts: number;
  /** Backoff cap of the first retry; default 30 s. */
  readonly initialBackoffMs: number;
  /** Backoff cap of any retry; default 1 h. */
  readonly maxBackoffMs: number;
  /** Growth of the cap per attempt; default 2. */
  readonly factor: number;
  /** The longest Retry-After honoured; a longer one waits this long; default 1 h. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  initialBackoffMs: 30_000,
  maxBackoffMs: 3_600_000,
  factor: 2,
  maxRetryAfterMs: 3_600_000,
};

/** A policy from partial settings, defaults filled in; throws RangeError on nonsense values. */
export function retryPolicy(settings: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...settings };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1 (got ${policy.maxAttempts})`);
  if (!(policy.initialBackoffMs >= 0)) throw new RangeError(`initialBackoffMs must be >= 0 (got ${policy.initialBackoffMs})`);
  if (!(policy.maxBackoffMs >= policy.initialBackoffMs)) throw new RangeError(`maxBackoffMs (${policy.maxBackoffMs}) must be >= initialBackoffMs (${policy.initialBackoffMs})`);
  if (!(policy.factor >= 1)) throw new RangeError(`factor must be >= 1 (got ${policy.factor})`);
  if (!(policy.maxRetryAfterMs >= 0)) throw new RangeError(`maxRetryAfterMs must be >= 0 (got ${policy.maxRetryAfterMs})`);
  return policy;
}

/** The failure of one attempt, as the policy needs it. */
export interface FailedAttempt {
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number;
  readonly permanent: boolean;
  readonly retryAfterMs?: number;
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'dead'; readonly reason: 'permanent' | 'max-attempts' };

/** The backoff cap before retry number `attempt` (1 = after the first attempt failed). */
export function backoffCapMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.factor ** Math.max(0, attempt - 1));
}

/**
 * Retry (after how long) or give up. `random` returns a number in [0, 1) (default
 * `Math.random`); pass a fixed one in tests.
 */
export function decideRetry(policy: RetryPolicy, failure: FailedAttempt, random: () => number = Math.random): RetryDecision {
  if (failure.permanent) return { action: 'dead', reason: 'permanent' };
  if (failure.attempt >= policy.maxAttempts) return { action: 'dead', reason: 'max-attempts' };
  const jittered = Math.floor(random() * backoffCapMs(policy, failure.attempt));
  const asked = failure.retryAfterMs === undefined ? 0 : Math.min(Math.max(0, failure.retryAfterMs), policy.maxRetryAfterMs);
  return { action: 'retry', delayMs: Math.max(jittered, Math.ceil(asked)) };
}
