import { expect, test } from 'vitest';
import { percentile } from '../sli/level.ts';
import { nearestRank } from './nearest-rank.ts';

test('nearestRank picks the element percentile() picks, for every count up to 1000 and awkward fractions', () => {
  const values = Array.from({ length: 1_000 }, (_, i) => i);
  for (const p of [0.5, 0.95, 0.99, 0.07, 0.999, 1]) {
    for (let n = 1; n <= 1_000; n++) {
      expect(nearestRank(p, n) - 1, `p=${p} n=${n}`).toBe(percentile(values.slice(0, n), p));
    }
  }
  expect(() => nearestRank(0, 10)).toThrow(RangeError);
});
