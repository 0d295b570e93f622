import { expect, test } from 'vitest';
import { Backoff } from './backoff.ts';

test('backoff doubles from min to max with jitter in the upper half of each step', () => {
  const low = new Backoff(100, 1000, () => 0);
  expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
  const high = new Backoff(100, 1000, () => 1);
  expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  high.reset();
  expect(high.next()).toBe(100);
});
