import { describe, expect, it } from 'vitest';
import { layOut } from './grid-layout.ts';

describe('layOut', () => {
  it('fills rows left to right and wraps below the tallest panel of the row', () => {
    expect(layOut([{ width: 24, height: 6 }, { width: 24, height: 10 }, { width: 12, height: 4 }])).toEqual([
      { x: 0, y: 0, w: 24, h: 6 },
      { x: 24, y: 0, w: 24, h: 10 },
      { x: 0, y: 10, w: 12, h: 4 },
    ]);
  });

  it('refuses a panel wider than the grid', () => {
    expect(() => layOut([{ width: 49, height: 1 }])).toThrow(/width 49 is outside 1..48/);
  });
});
