import { TERMINATION_CODES, type TerminationCode } from '@lookout/telemetry';
import { isAvailable } from '../sli/level.ts';

/**
 * The termination codes that make an event unavailable whatever its status: derived from
 * `isAvailable` itself over the TERMINATIONS table (with a 200 status), so a store's query
 * "status < 500 and termination not in these" is `isAvailable` for every code, and follows the
 * table when it changes.
 */
export const UNAVAILABLE_TERMINATIONS: readonly TerminationCode[] = TERMINATION_CODES.filter(
  (termination) =>
    !isAvailable({
      event: { duration: 0 },
      http: { response: { status_code: 200 } },
      lookout: { termination, probe: false },
      service: { target: undefined },
      url: { domain: '', path: '/' },
    }),
);

/**
 * The largest `event.duration` (ns, an integer) that is fast enough for `thresholdMs`:
 * `isFastEnough` compares `duration <= thresholdMs * 1e6` in doubles, and for an integer
 * duration that is `duration <= floor(thresholdMs * 1e6)`, a bound both stores compare exactly
 * (137.0000001 ms -> 137000000 ns).
 */
export function latencyLimitNs(thresholdMs: number): number {
  return Math.min(Math.floor(thresholdMs * 1_000_000), Number.MAX_SAFE_INTEGER);
}
