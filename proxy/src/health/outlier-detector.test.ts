import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { Member } from '../upstream/member.ts';
import { OutlierDetector, type OutlierDetectorOptions } from './outlier-detector.ts';

const T0 = 1_700_000_000_000;

function pool(size: number): Member[] {
  return Array.from({ length: size }, (_, i) => {
    const url = `http://127.0.0.1:${9001 + i}`;
    return new Member({ url, weight: 1 }, new Pool(url));
  });
}

function setup(size: number, options: OutlierDetectorOptions = {}) {
  const members = pool(size);
  const events: string[] = [];
  const detector = new OutlierDetector(members, {
    onEject: (member, until, times) => events.push(`eject ${members.indexOf(member)} +${until - T0} x${times}`),
    onReadmit: (member) => events.push(`readmit ${members.indexOf(member)}`),
    onEjectSkipped: (member) => events.push(`skip ${members.indexOf(member)}`),
    ...options,
  });
  const fail = (member: Member, times: number, now: number) => {
    for (let i = 0; i < times; i++) detector.recordFailure(member, now);
  };
  return { members, detector, events, fail };
}

describe('OutlierDetector', () => {
  it('ejects a member after 5 consecutive failures for the base ejection time', () => {
    const { members, events, fail } = setup(3);
    fail(members[0]!, 4, T0);
    expect(members[0]!.ejectedUntil).toBe(0);
    fail(members[0]!, 1, T0);
    expect(members[0]!.ejectedUntil).toBe(T0 + 30_000);
    expect(members[0]!.isAvailable(T0 + 29_999)).toBe(false);
    expect(members[0]!.isAvailable(T0 + 30_000)).toBe(true);
    expect(events).toEqual(['eject 0 +30000 x1']);
  });

  it('starts the count again after a success', () => {
    const { members, detector, fail } = setup(3);
    fail(members[0]!, 4, T0);
    detector.recordSuccess(members[0]!);
    fail(members[0]!, 4, T0);
    expect(members[0]!.ejectedUntil).toBe(0);
    fail(members[0]!, 1, T0);
    expect(members[0]!.ejectedUntil).toBe(T0 + 30_000);
  });

  it('honours a configured failure threshold', () => {
    const { members, fail } = setup(3, { consecutiveFailures: 2 });
    fail(members[1]!, 2, T0);
    expect(members[1]!.ejectedUntil).toBe(T0 + 30_000);
  });

  it('ejects for longer each time a member fails again soon after readmission, up to the cap', () => {
    const { members, detector, events, fail } = setup(3, { baseEjectionMs: 10_000, maxEjectionMs: 25_000 });
    let now = T0;
    for (let round = 0; round < 4; round++) {
      fail(members[0]!, 5, now);
      now = members[0]!.ejectedUntil;
      detector.tick(now);
    }
    expect(events).toEqual([
      'eject 0 +10000 x1',
      'readmit 0',
      'eject 0 +30000 x2',
      'readmit 0',
      'eject 0 +55000 x3',
      'readmit 0',
      'eject 0 +80000 x4',
      'readmit 0',
    ]);
    expect(detector.timesEjected(members[0]!, now)).toBe(4);
  });

  it('forgives one past ejection per decay interval spent back in rotation', () => {
    const { members, detector, events, fail } = setup(3, { decayIntervalMs: 10_000 });
    fail(members[0]!, 5, T0);
    fail(members[0]!, 5, T0 + 30_000); // 2nd ejection: 60 s, ends at +90 s
    expect(detector.timesEjected(members[0]!, T0 + 90_000)).toBe(2);
    expect(detector.timesEjected(members[0]!, T0 + 99_999)).toBe(2);
    expect(detector.timesEjected(members[0]!, T0 + 100_000)).toBe(1);
    fail(members[0]!, 5, T0 + 105_000);
    expect(events.at(-1)).toBe('eject 0 +165000 x2');
    // Long healthy: back to the base ejection time.
    fail(members[0]!, 5, T0 + 1_000_000);
    expect(events.at(-1)).toBe('eject 0 +1030000 x1');
  });

  it('ignores failures of requests that were in flight when the member was ejected', () => {
    const { members, events, fail } = setup(3);
    fail(members[0]!, 5, T0);
    fail(members[0]!, 20, T0 + 1_000);
    expect(members[0]!.ejectedUntil).toBe(T0 + 30_000);
    expect(events).toEqual(['eject 0 +30000 x1']);
  });

  it('reports readmission once, from tick, a success or a failure after the ejection ended', () => {
    const viaTick = setup(3);
    viaTick.fail(viaTick.members[0]!, 5, T0);
    viaTick.detector.tick(T0 + 29_999);
    viaTick.detector.tick(T0 + 30_000);
    viaTick.detector.tick(T0 + 31_000);
    expect(viaTick.events).toEqual(['eject 0 +30000 x1', 'readmit 0']);
    expect(viaTick.members[0]!.ejectedUntil).toBe(0);

    const viaSuccess = setup(3);
    viaSuccess.fail(viaSuccess.members[0]!, 5, T0);
    viaSuccess.detector.recordSuccess(viaSuccess.members[0]!, T0 + 10_000);
    expect(viaSuccess.events).toEqual(['eject 0 +30000 x1']);
    viaSuccess.detector.recordSuccess(viaSuccess.members[0]!, T0 + 30_000);
    expect(viaSuccess.events).toEqual(['eject 0 +30000 x1', 'readmit 0']);

    const viaFailure = setup(3);
    viaFailure.fail(viaFailure.members[0]!, 5, T0);
    viaFailure.fail(viaFailure.members[0]!, 1, T0 + 40_000);
    expect(viaFailure.events).toEqual(['eject 0 +30000 x1', 'readmit 0']);
  });

  it('reads the wall clock for a success only when the member was ejected', () => {
    const { members, detector, events, fail } = setup(3, { baseEjectionMs: 1 });
    fail(members[0]!, 5, Date.now() - 10);
    detector.recordSuccess(members[0]!);
    expect(events).toEqual([expect.stringMatching(/^eject 0/), 'readmit 0']);
  });

  it('never ejects the only member of a pool, and says so once per run of failures', () => {
    const { members, events, fail } = setup(1);
    fail(members[0]!, 50, T0);
    expect(members[0]!.ejectedUntil).toBe(0);
    expect(events).toEqual(['skip 0']);
  });

  it('keeps one of two members in rotation, and ejects the other once the first is back', () => {
    const { members, detector, events, fail } = setup(2);
    fail(members[0]!, 5, T0);
    fail(members[1]!, 6, T0 + 1_000);
    expect(members[1]!.ejectedUntil).toBe(0);
    detector.tick(T0 + 30_000);
    // Still failing: the next failure ejects it, no new run of 5 needed.
    fail(members[1]!, 1, T0 + 30_000);
    expect(events).toEqual(['eject 0 +30000 x1', 'skip 1', 'readmit 0', 'eject 1 +60000 x1']);
  });

  it('caps ejections at half of a pool of 4, and at one member of 3', () => {
    const four = setup(4);
    for (const member of four.members) four.fail(member, 5, T0);
    expect(four.members.map((m) => m.ejectedUntil > T0)).toEqual([true, true, false, false]);

    const three = setup(3);
    for (const member of three.members) three.fail(member, 5, T0);
    expect(three.members.map((m) => m.ejectedUntil > T0)).toEqual([true, false, false]);
  });

  it('still allows one ejection when the percent rounds down to zero members', () => {
    const { members, fail } = setup(3, { maxEjectedPercent: 10 });
    fail(members[0]!, 5, T0);
    fail(members[1]!, 5, T0);
    expect(members.map((m) => m.ejectedUntil > T0)).toEqual([true, false, false]);
  });

  it('lets every member go at 100 percent', () => {
    const { members, fail } = setup(3, { maxEjectedPercent: 100 });
    for (const member of members) fail(member, 5, T0);
    expect(members.every((m) => !m.isAvailable(T0))).toBe(true);
  });

  it('counts members failed by the active health check against the cap', () => {
    const { members, events, fail } = setup(2);
    members[0]!.healthy = false;
    fail(members[1]!, 5, T0);
    expect(members[1]!.ejectedUntil).toBe(0);
    expect(events).toEqual(['skip 1']);
  });

  it('does not count an ejection against the cap once it has expired', () => {
    const { members, fail } = setup(2);
    fail(members[0]!, 5, T0);
    fail(members[1]!, 5, T0 + 30_000);
    expect(members[1]!.ejectedUntil).toBe(T0 + 60_000);
  });

  it('ignores members it was not built with', () => {
    const { detector, events } = setup(2);
    const [stranger] = pool(1);
    for (let i = 0; i < 10; i++) detector.recordFailure(stranger!, T0);
    detector.recordSuccess(stranger!);
    expect(stranger!.ejectedUntil).toBe(0);
    expect(detector.timesEjected(stranger!, T0)).toBe(0);
    expect(events).toEqual([]);
  });

  it('rejects settings that make no sense', () => {
    expect(() => new OutlierDetector(pool(2), { consecutiveFailures: 0 })).toThrow(/consecutiveFailures/);
    expect(() => new OutlierDetector(pool(2), { baseEjectionMs: -1 })).toThrow(/baseEjectionMs/);
    expect(() => new OutlierDetector(pool(2), { maxEjectedPercent: 150 })).toThrow(/maxEjectedPercent/);
    expect(() => new OutlierDetector(pool(2), { decayIntervalMs: Number.NaN })).toThrow(/decayIntervalMs/);
  });
});
