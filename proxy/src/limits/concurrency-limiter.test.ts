import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyLimiter, type ConcurrencyLimiterOptions, type QueueOutcome } from './concurrency-limiter.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

function limiter(options: Partial<ConcurrencyLimiterOptions> = {}) {
  return new ConcurrencyLimiter({ maxConcurrent: 2, queueSize: 3, queueTimeoutMs: 1_000, now: () => Date.now(), ...options });
}

/** Records outcomes as `name outcome waitMs`. */
function recorder() {
  const outcomes: string[] = [];
  const callback = (outcome: QueueOutcome, waitMs: number, name: string) => outcomes.push(`${name} ${outcome} ${waitMs}`);
  return { outcomes, callback };
}

describe('ConcurrencyLimiter', () => {
  it('grants slots up to the limit and refuses the next one', () => {
    const limit = limiter();
    expect([limit.tryAcquire(), limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, true, false]);
    expect(limit.active).toBe(2);
    limit.release();
    expect(limit.active).toBe(1);
    expect(limit.tryAcquire()).toBe(true);
  });

  it('hands a released slot to the oldest waiter and reports how long it waited', () => {
    const limit = limiter();
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    limit.tryAcquire();
    limit.enqueue(callback, 'a');
    vi.advanceTimersByTime(100);
    limit.enqueue(callback, 'b');
    expect(limit.queued).toBe(2);
    vi.advanceTimersByTime(150);
    limit.release();
    expect(outcomes).toEqual(['a granted 250']);
    expect(limit.active).toBe(2);
    limit.release();
    expect(outcomes).toEqual(['a granted 250', 'b granted 150']);
    expect(limit.queued).toBe(0);
    expect(limit.stats.grantedFromQueue).toBe(2);
  });

  it('grants at once, synchronously, when a slot is free', () => {
    const limit = limiter();
    const { outcomes, callback } = recorder();
    expect(limit.enqueue(callback, 'a')).toBe(-1);
    expect(outcomes).toEqual(['a granted 0']);
    expect(limit.active).toBe(1);
  });

  it('rejects a request at once when the queue is full', () => {
    const limit = limiter({ maxConcurrent: 1, queueSize: 1 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    expect(limit.enqueue(callback, 'a')).toBeGreaterThanOrEqual(0);
    expect(limit.enqueue(callback, 'b')).toBe(-1);
    expect(outcomes).toEqual(['b rejected-overflow 0']);
    expect(limit.stats.rejectedOverflow).toBe(1);
  });

  it('has no queue by default', () => {
    const limit = new ConcurrencyLimiter({ maxConcurrent: 1 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    limit.enqueue(callback, 'a');
    expect(outcomes).toEqual(['a rejected-overflow 0']);
  });

  it('rejects each waiter when its own queue timeout passes', () => {
    const limit = limiter({ maxConcurrent: 1 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    limit.enqueue(callback, 'a');
    vi.advanceTimersByTime(300);
    limit.enqueue(callback, 'b');
    vi.advanceTimersByTime(699);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes).toEqual(['a rejected-timeout 1000']);
    vi.advanceTimersByTime(299);
    expect(outcomes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(outcomes).toEqual(['a rejected-timeout 1000', 'b rejected-timeout 1000']);
    expect(limit.queued).toBe(0);
    expect(limit.active).toBe(1);
    expect(limit.stats.rejectedTimeout).toBe(2);
  });

  it('does not time out a waiter that got its slot, and times out the one behind it on time', () => {
    const limit = limiter({ maxConcurrent: 1 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    limit.enqueue(callback, 'a');
    vi.advanceTimersByTime(500);
    limit.enqueue(callback, 'b');
    vi.advanceTimersByTime(100);
    limit.release();
    vi.advanceTimersByTime(10_000);
    expect(outcomes).toEqual(['a granted 600', 'b rejected-timeout 1000']);
  });

  it('uses one timer for the whole queue, none once it is empty', () => {
    const limit = limiter({ maxConcurrent: 1, queueSize: 100 });
    const { callback } = recorder();
    limit.tryAcquire();
    for (let i = 0; i < 100; i++) limit.enqueue(callback, `w${i}`);
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 100; i++) limit.release();
    expect(limit.queued).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('withdraws a cancelled waiter silently and keeps the others in order', () => {
    const limit = limiter({ maxConcurrent: 1 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    const tickets = ['a', 'b', 'c'].map((name) => limit.enqueue(callback, name));
    expect(limit.cancel(tickets[1]!)).toBe(true);
    expect(limit.cancel(tickets[1]!)).toBe(false);
    expect(limit.queued).toBe(2);
    // The freed place takes a new waiter.
    limit.enqueue(callback, 'd');
    limit.release();
    limit.release();
    limit.release();
    expect(outcomes).toEqual(['a granted 0', 'c granted 0', 'd granted 0']);
    expect(limit.cancel(tickets[0]!)).toBe(false);
    expect(limit.stats.cancelled).toBe(1);
  });

  it('keeps FIFO order across the end of the ring buffer, with cancellations', () => {
    const limit = limiter({ maxConcurrent: 1, queueSize: 3 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    const order: string[] = [];
    let next = 0;
    const waiting: number[] = [];
    for (let round = 0; round < 20; round++) {
      while (limit.queued < 3) {
        const name = `w${next++}`;
        waiting.push(limit.enqueue(callback, name));
        order.push(name);
      }
      if (round % 3 === 0) {
        // Cancel the middle waiter.
        const ticket = waiting.splice(waiting.length - 2, 1)[0]!;
        limit.cancel(ticket);
        order.splice(order.length - 2, 1);
      }
      limit.release();
      waiting.shift();
    }
    const granted = outcomes.map((line) => line.split(' ')[0]);
    expect(granted).toEqual(order.slice(0, granted.length));
    expect(granted).toHaveLength(20);
  });

  it('stops the timer when the last waiter is cancelled', () => {
    const limit = limiter({ maxConcurrent: 1 });
    const { outcomes, callback } = recorder();
    limit.tryAcquire();
    limit.cancel(limit.enqueue(callback, 'a'));
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(outcomes).toEqual([]);
  });

  it('serves a long queue of waiters that release at once without deep recursion', () => {
    const waiters = 50_000;
    const limit = limiter({ maxConcurrent: 1, queueSize: waiters });
    let granted = 0;
    const releaseAtOnce = (outcome: QueueOutcome, _wait: number, self: ConcurrencyLimiter) => {
      if (outcome === 'granted') {
        granted++;
        self.release();
      }
    };
    limit.tryAcquire();
    for (let i = 0; i < waiters; i++) limit.enqueue(releaseAtOnce, limit);
    limit.release();
    expect(granted).toBe(waiters);
    expect(limit.active).toBe(0);
    expect(limit.queued).toBe(0);
  });

  it('lets a timed-out waiter queue again from its callback', () => {
    const limit = limiter({ maxConcurrent: 1 });
    const { outcomes, callback } = recorder();
    let retried = false;
    limit.tryAcquire();
    limit.enqueue((outcome, wait, name: string) => {
      callback(outcome, wait, name);
      if (!retried) {
        retried = true;
        limit.enqueue(callback, 'again');
      }
    }, 'a');
    vi.advanceTimersByTime(1_000);
    expect(outcomes).toEqual(['a rejected-timeout 1000']);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(outcomes).toEqual(['a rejected-timeout 1000', 'again rejected-timeout 1000']);
  });

  it('counts a release without a held slot instead of throwing or going negative', () => {
    const limit = limiter();
    limit.release();
    limit.tryAcquire();
    limit.release();
    limit.release();
    expect(limit.active).toBe(0);
    expect(limit.stats.overReleases).toBe(2);
    expect([limit.tryAcquire(), limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, true, false]);
  });

  it('rejects settings that make no sense', () => {
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 0 })).toThrow(/maxConcurrent/);
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 1.5 })).toThrow(/maxConcurrent/);
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 1, queueSize: -1 })).toThrow(/queueSize/);
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 1, queueTimeoutMs: 0 })).toThrow(/queueTimeoutMs/);
  });
});
