import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffCapMs, decideRetry, retryPolicy } from './retry-policy.ts';

const policy = retryPolicy({ maxAttempts: 5, initialBackoffMs: 1_000, maxBackoffMs: 10_000, factor: 2, maxRetryAfterMs: 60_000 });

describe('retry policy', () => {
  it('defaults to 8 attempts', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(8);
    expect(retryPolicy().maxAttempts).toBe(8);
  });

  it('grows the backoff cap exponentially up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffCapMs(policy, attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('draws the delay uniformly between 0 and the cap (full jitter)', () => {
    expect(decideRetry(policy, { attempt: 3, permanent: false }, () => 0)).toEqual({ action: 'retry', delayMs: 0 });
    expect(decideRetry(policy, { attempt: 3, permanent: false }, () => 0.5)).toEqual({ action: 'retry', delayMs: 2_000 });
    expect(decideRetry(policy, { attempt: 3, permanent: false }, () => 0.999_999)).toEqual({ action: 'retry', delayMs: 3_999 });
    const delays = Array.from({ length: 2_000 }, () => {
      const decision = decideRetry(policy, { attempt: 4, permanent: false });
      return decision.action === 'retry' ? decision.delayMs : Number.NaN;
    });
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8_000);
    const mean = delays.reduce((sum, d) => sum + d, 0) / delays.length;
    expect(mean).toBeGreaterThan(3_400);
    expect(mean).toBeLessThan(4_600);
  });

  it('never retries earlier than Retry-After asks', () => {
    expect(decideRetry(policy, { attempt: 1, permanent: false, retryAfterMs: 30_000 }, () => 0.9)).toEqual({ action: 'retry', delayMs: 30_000 });
    // A backoff longer than the Retry-After wins.
    expect(decideRetry(policy, { attempt: 5 - 1, permanent: false, retryAfterMs: 100 }, () => 0.5)).toEqual({ action: 'retry', delayMs: 4_000 });
  });

  it('caps Retry-After at the configured maximum', () => {
    expect(decideRetry(policy, { attempt: 1, permanent: false, retryAfterMs: 86_400_000 }, () => 0)).toEqual({ action: 'retry', delayMs: 60_000 });
  });

  it('gives up on a permanent failure at once', () => {
    expect(decideRetry(policy, { attempt: 1, permanent: true }, () => 0)).toEqual({ action: 'dead', reason: 'permanent' });
  });

  it('gives up after the last attempt', () => {
    expect(decideRetry(policy, { attempt: 4, permanent: false }, () => 0).action).toBe('retry');
    expect(decideRetry(policy, { attempt: 5, permanent: false }, () => 0)).toEqual({ action: 'dead', reason: 'max-attempts' });
  });

  it('rejects nonsense settings', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => retryPolicy({ initialBackoffMs: 5_000, maxBackoffMs: 1_000 })).toThrow(/maxBackoffMs/);
    expect(() => retryPolicy({ factor: 0.5 })).toThrow(/factor/);
  });
});
