import type { TimeRange } from './event-source.ts';

/** One minute in ms: the granularity of per-minute counts and rollups. */
export const MINUTE_MS = 60_000;

/** The start of the minute holding `ms` (epoch ms). */
export function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The first minute boundary at or after `ms`. */
export function ceilMinute(ms: number): number {
  return Math.ceil(ms / MINUTE_MS) * MINUTE_MS;
}

/** Throws a RangeError unless both ends of `range` are minute boundaries and `from <= to`. */
export function assertMinuteAligned(range: TimeRange): void {
  if (range.from % MINUTE_MS !== 0 || range.to % MINUTE_MS !== 0 || range.from > range.to) {
    throw new RangeError(`expected a minute-aligned range, got [${range.from}, ${range.to})`);
  }
}
