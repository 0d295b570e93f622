import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('formatDuration', () => {
  it('writes the largest units that divide the duration, the inverse of parseDuration', () => {
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_500)).toBe('1s500ms');
    expect(formatDuration(0)).toBe('0s');
    for (const text of ['5m', '1h30m', '30d', '2d3h4m5s6ms']) expect(formatDuration(parseDuration(text)!)).toBe(text);
  });

  it('rejects what is not a whole non-negative number of ms', () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});
