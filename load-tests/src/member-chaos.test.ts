import { describe, expect, it } from 'vitest';
import { parseChaosArgs } from './member-chaos.ts';

describe('member-chaos command line', () => {
  it('reads ports and durations, with defaults', () => {
    expect(parseChaosArgs(['--ports', '9001,9002'])).toEqual({ ports: [9001, 9002], durationMs: 70_000, everyMs: 15_000, downMs: 5_000 });
    expect(parseChaosArgs(['--ports', '9001', '--duration', '2m', '--every', '10s', '--down', '500ms'])).toEqual({ ports: [9001], durationMs: 120_000, everyMs: 10_000, downMs: 500 });
  });

  it('refuses what it cannot run', () => {
    expect(() => parseChaosArgs([])).toThrow(/--ports/);
    expect(() => parseChaosArgs(['--ports', '9001,x'])).toThrow(/comma-separated list of ports/);
    expect(() => parseChaosArgs(['--ports', '9001', '--every', '5s', '--down', '5s'])).toThrow(/shorter than --every/);
    expect(() => parseChaosArgs(['--ports', '9001', '--every', 'soon'])).toThrow(/--every expects a duration/);
  });
});
