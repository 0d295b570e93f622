import { describe, expect, it } from 'vitest';
import { sloLimit } from './slo-limit.ts';

describe('sloLimit', () => {
  it('interpolates where the level reaches 1 between the last holding and the first failing step', () => {
    expect(sloLimit([{ rate: 100, level: 0.2 }, { rate: 200, level: 0.5 }, { rate: 300, level: 1.5 }, { rate: 400, level: 0.9 }])).toEqual({
      kind: 'within-range',
      rate: 250,
      lastHoldingRate: 200,
      firstFailingRate: 300,
    });
  });

  it('takes the limit from the bottom: a later holding step does not extend it', () => {
    const limit = sloLimit([{ rate: 100, level: 0.5 }, { rate: 200, level: 2 }, { rate: 300, level: 0.5 }]);
    expect(limit).toMatchObject({ kind: 'within-range', firstFailingRate: 200 });
  });

  it('says when the SLO holds everywhere, fails from the start, or has no data', () => {
    expect(sloLimit([{ rate: 100, level: 0.1 }, { rate: 200, level: 1 }])).toEqual({ kind: 'above-range', rate: 200 });
    expect(sloLimit([{ rate: 100, level: 1.1 }, { rate: 200, level: 0.5 }])).toEqual({ kind: 'below-range', rate: 100 });
    expect(sloLimit([{ rate: 100, level: undefined }])).toEqual({ kind: 'no-data' });
  });

  it('skips steps without events', () => {
    expect(sloLimit([{ rate: 100, level: 0.5 }, { rate: 200, level: undefined }, { rate: 300, level: 1.5 }])).toMatchObject({ rate: 200, lastHoldingRate: 100, firstFailingRate: 300 });
  });
});
