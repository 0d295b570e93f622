import { formatDuration, parseDuration } from '../spec/duration.ts';
import type { TrafficQuery } from './traffic-source.ts';

/** The longest range the page may ask for. */
export const MAX_RANGE_MS = 7 * 24 * 3_600_000;
/** The most buckets one query may cut its range into. */
export const MAX_BUCKETS = 1_500;
/** The shortest bucket. */
export const MIN_STEP_MS = 1_000;
/** Buckets aimed at when the step is left to the page (about one per 10 px of a laptop chart). */
const TARGET_BUCKETS = 90;
/** Steps chosen automatically: round numbers a reader recognises. */
const NICE_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400].map((seconds) => seconds * 1_000);

/** A bad `range` or `step` parameter, with what was expected. */
export interface TrafficQueryProblem {
  readonly code: 'SLO_API_BAD_REQUEST';
  readonly message: string;
}

/**
 * The {@link TrafficQuery} of the page's `?range=15m&step=10s` at `now`: buckets aligned on
 * multiples of the step (so Elasticsearch's date_histogram and the SQLite grouping agree), the
 * last bucket holding `now`. Without `step`, a round step giving about 90 buckets.
 *
 * @example parseTrafficQuery('15m', '10s', Date.now()) // 90 buckets of 10 s ending with the current one
 */
export function parseTrafficQuery(rangeText: string | undefined, stepText: string | undefined, now: number): TrafficQuery | TrafficQueryProblem {
  const rangeMs = parseDuration(rangeText ?? '15m');
  if (rangeMs === undefined || rangeMs < MIN_STEP_MS || rangeMs > MAX_RANGE_MS) {
    return problem(`range must be a duration from 1s to ${formatDuration(MAX_RANGE_MS)} such as "15m" or "1h"; got "${rangeText}"`);
  }
  let stepMs: number;
  if (stepText === undefined || stepText === '' || stepText === 'auto') {
    stepMs = NICE_STEPS_MS.find((step) => rangeMs / step <= TARGET_BUCKETS) ?? NICE_STEPS_MS.at(-1)!;
  } else {
    const parsed = parseDuration(stepText);
    if (parsed === undefined || parsed < MIN_STEP_MS || parsed % 1_000 !== 0) {
      return problem(`step must be a whole number of seconds, at least 1s, such as "10s" or "1m"; got "${stepText}"`);
    }
    stepMs = parsed;
  }
  const buckets = Math.ceil(rangeMs / stepMs);
  if (buckets > MAX_BUCKETS) {
    return problem(`range ${formatDuration(rangeMs)} over step ${formatDuration(stepMs)} makes ${buckets} buckets; at most ${MAX_BUCKETS}: use a longer step`);
  }
  const to = (Math.floor(now / stepMs) + 1) * stepMs;
  return { from: to - buckets * stepMs, to, stepMs, now };
}

/** Whether {@link parseTrafficQuery} refused its input. */
export function isTrafficQueryProblem(value: TrafficQuery | TrafficQueryProblem): value is TrafficQueryProblem {
  return 'code' in value;
}

function problem(message: string): TrafficQueryProblem {
  return { code: 'SLO_API_BAD_REQUEST', message };
}
