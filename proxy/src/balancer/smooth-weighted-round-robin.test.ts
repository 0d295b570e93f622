import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { Member } from '../upstream/member.ts';
import type { BalancerRequest } from './balancer.ts';
import { SmoothWeightedRoundRobin } from './smooth-weighted-round-robin.ts';

const NOW = 1_000_000;
const request: BalancerRequest = { clientIp: '127.0.0.1', header: () => undefined, cookie: () => undefined };

function member(port: number, weight = 1): Member {
  const url = `http://127.0.0.1:${port}`;
  return new Member({ url, weight }, new Pool(url));
}

function sequence(balancer: SmoothWeightedRoundRobin, members: readonly Member[], count: number, exclude: readonly Member[] = []): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const pick = balancer.pick(request, NOW, exclude);
    names.push(pick === undefined ? '-' : 'abcdefgh'[members.indexOf(pick.member)]!);
  }
  return names;
}

describe('SmoothWeightedRoundRobin', () => {
  it('rotates through members in order when weights are equal', () => {
    const members = [member(9001), member(9002), member(9003)];
    expect(sequence(new SmoothWeightedRoundRobin(members), members, 7).join('')).toBe('abcabca');
  });

  it('spreads weights 5:1:1 as nginx does: a a b a c a a, then repeats', () => {
    const members = [member(9001, 5), member(9002), member(9003)];
    expect(sequence(new SmoothWeightedRoundRobin(members), members, 14).join('')).toBe('aabacaa'.repeat(2));
  });

  it('gives each member exactly its weight share over a full cycle', () => {
    const members = [member(9001, 3), member(9002, 2), member(9003, 1)];
    const names = sequence(new SmoothWeightedRoundRobin(members), members, 600);
    expect(names.filter((n) => n === 'a')).toHaveLength(300);
    expect(names.filter((n) => n === 'b')).toHaveLength(200);
    expect(names.filter((n) => n === 'c')).toHaveLength(100);
  });

  it('labels its picks round-robin without a Set-Cookie', () => {
    const members = [member(9001)];
    const pick = new SmoothWeightedRoundRobin(members).pick(request, NOW, []);
    expect(pick).toEqual({ member: members[0], decision: 'round-robin', setCookie: undefined });
  });

  it('skips members that failed their health check or are ejected', () => {
    const members = [member(9001), member(9002), member(9003)];
    members[0]!.healthy = false;
    members[2]!.ejectedUntil = NOW + 1;
    expect(sequence(new SmoothWeightedRoundRobin(members), members, 3).join('')).toBe('bbb');
  });

  it('takes an ejected member back once its ejection has expired', () => {
    const members = [member(9001), member(9002)];
    members[0]!.ejectedUntil = NOW;
    expect(sequence(new SmoothWeightedRoundRobin(members), members, 4).join('')).toBe('abab');
  });

  it('never picks a member the request already tried', () => {
    const members = [member(9001), member(9002), member(9003)];
    expect(sequence(new SmoothWeightedRoundRobin(members), members, 4, [members[1]!]).join('')).toBe('acac');
  });

  it('keeps the weighted spread among the members left when one is unavailable', () => {
    const members = [member(9001, 5), member(9002), member(9003, 5)];
    members[2]!.healthy = false;
    expect(sequence(new SmoothWeightedRoundRobin(members), members, 12).join('')).toBe('aaabaa'.repeat(2));
  });

  it('returns undefined when no member is available, and for an empty pool', () => {
    const members = [member(9001), member(9002)];
    members[0]!.healthy = false;
    expect(new SmoothWeightedRoundRobin(members).pick(request, NOW, [members[1]!])).toBeUndefined();
    expect(new SmoothWeightedRoundRobin([]).pick(request, NOW, [])).toBeUndefined();
  });

  it('returns the same pick object for a member every time, allocating nothing per request', () => {
    const members = [member(9001), member(9002)];
    const balancer = new SmoothWeightedRoundRobin(members);
    const first = balancer.pick(request, NOW, []);
    balancer.pick(request, NOW, []);
    expect(balancer.pick(request, NOW, [])).toBe(first);
  });
});
