import { describe, expect, it } from 'vitest';
import { TERMINATIONS, TERMINATION_CODES, eventOutcome } from './termination.ts';

describe('terminations', () => {
  it('describes every code in one line and gives proxy-generated statuses in the HTTP range', () => {
    for (const code of TERMINATION_CODES) {
      const { status, description } = TERMINATIONS[code];
      expect(code).toMatch(/^[a-z_]+$/);
      expect(description).toMatch(/^\S.*\.$/);
      expect(description).not.toContain('\n');
      if (status !== null) expect(status).toBeGreaterThanOrEqual(400);
    }
  });

  it('derives the outcome of an upstream answer from its status', () => {
    expect(eventOutcome('ok', 200)).toBe('success');
    expect(eventOutcome('ok', 404)).toBe('success');
    expect(eventOutcome('ok', 503)).toBe('failure');
    expect(eventOutcome('local', 200)).toBe('success');
  });

  it('takes the outcome of a proxy-side termination from the table, whatever the status', () => {
    expect(eventOutcome('upstream_connect_failure', 502)).toBe('failure');
    expect(eventOutcome('no_route', 404)).toBe('failure');
    expect(eventOutcome('client_abort', 200)).toBe('unknown');
  });
});
