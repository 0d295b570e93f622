import { describe, expect, test } from 'vitest';
import { isTrafficQueryProblem, parseTrafficQuery } from './traffic-query.ts';

const NOW = Date.UTC(2026, 0, 22, 10, 7, 43, 512);

describe('parseTrafficQuery', () => {
  test('cuts the range into step-aligned buckets, the last one holding now', () => {
    expect(parseTrafficQuery('15m', '10s', NOW)).toEqual({ from: Date.UTC(2026, 0, 22, 9, 52, 50), to: Date.UTC(2026, 0, 22, 10, 7, 50), stepMs: 10_000, now: NOW });
  });

  test('without a step, picks a round one giving at most 90 buckets', () => {
    const steps = ['5m', '15m', '1h', '6h', '24h'].map((range) => {
      const query = parseTrafficQuery(range, undefined, NOW);
      if (isTrafficQueryProblem(query)) throw new Error(query.message);
      expect((query.to - query.from) / query.stepMs).toBeLessThanOrEqual(90);
      return query.stepMs / 1_000;
    });
    expect(steps).toEqual([5, 10, 60, 300, 1_800]);
    expect(parseTrafficQuery(undefined, 'auto', NOW)).toMatchObject({ stepMs: 10_000 });
  });

  test('a range that is not a multiple of the step is widened to whole buckets', () => {
    const query = parseTrafficQuery('65s', '30s', NOW);
    expect(query).toMatchObject({ stepMs: 30_000 });
    if (!isTrafficQueryProblem(query)) expect(query.to - query.from).toBe(90_000);
  });

  test.each([
    ['15 minutes', '10s', /range must be a duration/],
    ['30d', '1h', /range must be a duration from 1s to 7d/],
    ['15m', '500ms', /step must be a whole number of seconds/],
    ['15m', 'ten', /step must be/],
    ['24h', '1s', /86400 buckets; at most 1500/],
  ])('refuses range %s with step %s, saying what is expected', (range, step, message) => {
    const problem = parseTrafficQuery(range, step, NOW);
    expect(problem).toMatchObject({ code: 'SLO_API_BAD_REQUEST', message: expect.stringMatching(message) });
  });
});
