import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.ts';

const T0 = 1_700_000_000_000;

/** Retries granted in a row at `now` until the budget refuses. */
function drain(budget: RetryBudget, now: number): number {
  let granted = 0;
  while (budget.tryRetry(now)) granted++;
  return granted;
}

describe('RetryBudget', () => {
  it('lets a quiet service retry minRetriesPerSecond times the window, then refuses', () => {
    const budget = new RetryBudget();
    expect(drain(budget, T0)).toBe(100);
    expect(budget.tryRetry(T0 + 5_000)).toBe(false);
  });

  it('allows retries up to the ratio of requests in the window on a busy service', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 1 });
    for (let i = 0; i < 10_000; i++) budget.recordRequest(T0 + (i % 5_000));
    expect(drain(budget, T0 + 5_000)).toBe(2_000);
    expect(budget.retriesAllowed).toBe(2_000);
    expect(budget.retriesDenied).toBe(1);
  });

  it('uses whichever is larger, the floor or the ratio', () => {
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSecond: 1 });
    for (let i = 0; i < 4; i++) budget.recordRequest(T0);
    // 0.5 * 4 = 2 < floor 10.
    expect(budget.remaining(T0)).toBe(10);
    for (let i = 0; i < 96; i++) budget.recordRequest(T0);
    expect(budget.remaining(T0)).toBe(50);
  });

  it('allows a retry while the retries are below a fractional allowance', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0 });
    for (let i = 0; i < 3; i++) budget.recordRequest(T0);
    // 0.6 allowed: the first retry (0 < 0.6) passes, the second (1 >= 0.6) does not.
    expect(drain(budget, T0)).toBe(1);
  });

  it('forgets requests and retries once they leave the window', () => {
    const budget = new RetryBudget({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 10_000, buckets: 10 });
    for (let i = 0; i < 100; i++) budget.recordRequest(T0);
    expect(drain(budget, T0)).toBe(10);
    // Still inside the window 9.999 s later (T0 is on a bucket boundary).
    expect(budget.tryRetry(T0 + 9_999)).toBe(false);
    // The bucket of T0 leaves at T0 + 10 s: no requests, no retries left in the window.
    expect(budget.remaining(T0 + 10_000)).toBe(0);
    for (let i = 0; i < 50; i++) budget.recordRequest(T0 + 10_000);
    expect(drain(budget, T0 + 10_000)).toBe(5);
  });

  it('slides bucket by bucket, freeing the budget of the oldest second only', () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 1, windowMs: 10_000, buckets: 10 });
    // Floor: 10 retries per window. Spend 4 in the first second, 6 in the sixth.
    for (let i = 0; i < 4; i++) expect(budget.tryRetry(T0)).toBe(true);
    for (let i = 0; i < 6; i++) expect(budget.tryRetry(T0 + 5_000)).toBe(true);
    expect(budget.tryRetry(T0 + 9_500)).toBe(false);
    expect(drain(budget, T0 + 10_000)).toBe(4);
    expect(drain(budget, T0 + 15_000)).toBe(6);
  });

  it('starts afresh after a gap longer than the window', () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 1 });
    drain(budget, T0);
    expect(budget.remaining(T0 + 3_600_000)).toBe(10);
  });

  it('counts calls with a clock that stepped back in the current bucket', () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 1 });
    drain(budget, T0 + 5_000);
    expect(budget.tryRetry(T0)).toBe(false);
    // Those retries were counted in the bucket of T0 + 5 s, and leave with it.
    expect(budget.remaining(T0 + 15_000)).toBe(10);
  });

  it('refuses every retry with a zero ratio and a zero floor', () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 0 });
    for (let i = 0; i < 1_000; i++) budget.recordRequest(T0);
    expect(budget.tryRetry(T0)).toBe(false);
  });

  it('rejects settings that make no sense', () => {
    expect(() => new RetryBudget({ ratio: -0.1 })).toThrow(/ratio/);
    expect(() => new RetryBudget({ minRetriesPerSecond: Number.NaN })).toThrow(/minRetriesPerSecond/);
    expect(() => new RetryBudget({ windowMs: 0 })).toThrow(/windowMs/);
    expect(() => new RetryBudget({ buckets: 0 })).toThrow(/buckets/);
  });
});
