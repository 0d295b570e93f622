import type { MinuteCount, TimeRange } from '../events/event-source.ts';
import { assertMinuteAligned, MINUTE_MS } from '../events/minute.ts';

/**
 * What a {@link RollupStore} write must satisfy, checked the same way by every store: a
 * minute-aligned range, minutes inside it, and a range that touches or overlaps the current
 * coverage (so the coverage stays one range, without holes). Returns the coverage after the
 * write. Throws a RangeError naming the key otherwise.
 */
export function coverageAfterWrite(key: string, coverage: TimeRange | undefined, range: TimeRange, minutes: readonly MinuteCount[]): TimeRange {
  assertMinuteAligned(range);
  for (const minute of minutes) {
    if (minute.minute % MINUTE_MS !== 0 || minute.minute < range.from || minute.minute >= range.to) {
      throw new RangeError(`rollup ${key}: minute ${minute.minute} is not a minute of [${range.from}, ${range.to})`);
    }
  }
  if (coverage === undefined) return range;
  if (range.from > coverage.to || range.to < coverage.from) {
    throw new RangeError(`rollup ${key}: [${range.from}, ${range.to}) would leave a hole next to the coverage [${coverage.from}, ${coverage.to})`);
  }
  return { from: Math.min(coverage.from, range.from), to: Math.max(coverage.to, range.to) };
}

/** The coverage after pruning the minutes before `before`; undefined when nothing is left. */
export function coverageAfterPrune(coverage: TimeRange, before: number): TimeRange | undefined {
  const from = Math.max(coverage.from, before);
  return from >= coverage.to ? undefined : { from, to: coverage.to };
}
