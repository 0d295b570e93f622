import { describe, expect, test } from 'vitest';
import { EventQueue } from './event-queue.ts';

describe('EventQueue', () => {
  test('hands items out in the order they came, across the ring boundary', () => {
    const queue = new EventQueue<number>(3, 'drop-newest');
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      queue.push(i);
      if (i % 2 === 1) out.push(queue.shift()!, queue.shift()!);
    }
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  test('refuses new items when full under drop-newest', () => {
    const queue = new EventQueue<number>(2, 'drop-newest');
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    expect([queue.shift(), queue.shift(), queue.length]).toEqual([1, 2, 0]);
  });

  test('overwrites the oldest item when full under drop-oldest', () => {
    const queue = new EventQueue<number>(2, 'drop-oldest');
    expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([true, true, false, false]);
    expect([queue.shift(), queue.shift(), queue.length]).toEqual([3, 4, 0]);
  });
});
