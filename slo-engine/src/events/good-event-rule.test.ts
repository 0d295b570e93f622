import { TERMINATION_CODES } from '@lookout/telemetry';
import { describe, expect, test } from 'vitest';
import { isAvailable, isFastEnough, type SliEvent } from '../sli/level.ts';
import { UNAVAILABLE_TERMINATIONS, latencyLimitNs } from './good-event-rule.ts';

function event(termination: SliEvent['lookout']['termination'], status: number, duration = 0): SliEvent {
  return { event: { duration }, http: { response: { status_code: status } }, lookout: { termination, probe: false }, service: { target: undefined }, url: { domain: '', path: '/' } };
}

describe('the stores\' good-event rule', () => {
  test('"status < 500 and termination not unavailable" is isAvailable for every termination code and status', () => {
    for (const termination of TERMINATION_CODES) {
      for (const status of [100, 200, 204, 304, 400, 404, 408, 413, 429, 431, 499, 500, 502, 503, 504, 599]) {
        const rule = status < 500 && !UNAVAILABLE_TERMINATIONS.includes(termination);
        expect(rule, `${termination} ${status}`).toBe(isAvailable(event(termination, status)));
      }
    }
    expect(UNAVAILABLE_TERMINATIONS).toContain('upstream_reset');
    expect(UNAVAILABLE_TERMINATIONS).not.toContain('client_abort');
    expect(UNAVAILABLE_TERMINATIONS).not.toContain('bad_request');
  });

  test('"duration <= latencyLimitNs(threshold)" is isFastEnough around odd thresholds', () => {
    for (const thresholdMs of [137, 0.7654321, 42.5, 1e-7, 137.0000001, 0.1 + 0.2, 3_600_000.123456]) {
      const limit = latencyLimitNs(thresholdMs);
      for (const duration of [limit - 1, limit, limit + 1, Math.floor(thresholdMs * 1e6), Math.ceil(thresholdMs * 1e6)]) {
        if (duration < 0) continue;
        expect(duration <= limit, `${thresholdMs} ms, ${duration} ns`).toBe(isFastEnough(event('ok', 200, duration), thresholdMs));
      }
    }
  });
});
