import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { Member } from '../upstream/member.ts';
import type { BalancerRequest } from './balancer.ts';
import { LeastRequest } from './least-request.ts';

const NOW = 1_000_000;
const request: BalancerRequest = { clientIp: '127.0.0.1', header: () => undefined, cookie: () => undefined };

function member(port: number, weight = 1, active = 0): Member {
  const url = `http://127.0.0.1:${port}`;
  const created = new Member({ url, weight }, new Pool(url));
  created.active = active;
  return created;
}

/** A random source replaying `values` in a loop. */
function replay(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

/** A seeded PRNG (mulberry32) so distribution tests are reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LeastRequest', () => {
  it('picks the only candidate without consulting the random source', () => {
    const members = [member(9001, 1, 50), member(9002)];
    members[1]!.healthy = false;
    const balancer = new LeastRequest(members, {}, () => {
      throw new Error('random source used');
    });
    expect(balancer.pick(request, NOW, [])?.member).toBe(members[0]);
  });

  it('sends the request to the sampled member with fewer requests in flight', () => {
    const members = [member(9001, 1, 7), member(9002, 1, 3), member(9003, 1, 0)];
    // Samples positions 0 and 1 (the second draw skips the first position): 7 vs 3 in flight.
    const balancer = new LeastRequest(members, {}, replay(0, 0.4));
    expect(balancer.pick(request, NOW, [])?.member).toBe(members[1]);
  });

  it('always samples two distinct members', () => {
    const members = [member(9001, 1, 5), member(9002, 1, 1)];
    // Both draws at 0 would name the same position twice; the second is shifted past the first.
    const balancer = new LeastRequest(members, {}, replay(0, 0));
    expect(balancer.pick(request, NOW, [])?.member).toBe(members[1]);
  });

  it('never picks the busiest member while another is idle', () => {
    const members = [member(9001, 1, 10), member(9002), member(9003), member(9004)];
    const balancer = new LeastRequest(members, {}, seeded(1));
    for (let i = 0; i < 1000; i++) expect(balancer.pick(request, NOW, [])?.member).not.toBe(members[0]);
  });

  it('compares requests in flight per unit of weight', () => {
    // 4 in flight on weight 4 (1 per unit) beats 2 in flight on weight 1.
    const members = [member(9001, 4, 4), member(9002, 1, 2)];
    const balancer = new LeastRequest(members, {}, seeded(2));
    for (let i = 0; i < 100; i++) expect(balancer.pick(request, NOW, [])?.member).toBe(members[0]);
  });

  it('follows the weights when the pool is idle', () => {
    const members = [member(9001, 3), member(9002, 1)];
    const balancer = new LeastRequest(members, {}, seeded(3));
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) if (balancer.pick(request, NOW, [])?.member === members[0]) heavy++;
    expect(heavy / 10_000).toBeCloseTo(0.75, 1);
  });

  it('spreads an idle pool of equal weights evenly', () => {
    const members = [member(9001), member(9002), member(9003), member(9004)];
    const balancer = new LeastRequest(members, {}, seeded(4));
    const counts = new Map<Member, number>();
    for (let i = 0; i < 20_000; i++) {
      const chosen = balancer.pick(request, NOW, [])!.member;
      counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
    }
    for (const m of members) expect(Math.abs(counts.get(m)! - 5_000)).toBeLessThan(500);
  });

  it('keeps in-flight counts proportional to weight under sustained load', () => {
    const members = [member(9001, 3), member(9002, 1)];
    const balancer = new LeastRequest(members, {}, seeded(5));
    // 400 requests arrive and stay in flight.
    for (let i = 0; i < 400; i++) balancer.pick(request, NOW, [])!.member.active++;
    expect(members[0]!.active).toBeGreaterThanOrEqual(295);
    expect(members[0]!.active).toBeLessThanOrEqual(305);
  });

  it('skips unavailable and already-tried members, and returns undefined when none is left', () => {
    const members = [member(9001), member(9002, 1, 100), member(9003)];
    members[0]!.ejectedUntil = NOW + 1_000;
    const balancer = new LeastRequest(members, {}, seeded(6));
    expect(balancer.pick(request, NOW, [members[2]!])?.member).toBe(members[1]);
    expect(balancer.pick(request, NOW, [members[1]!, members[2]!])).toBeUndefined();
    expect(new LeastRequest([]).pick(request, NOW, [])).toBeUndefined();
  });

  it('labels its picks least-request and reuses them', () => {
    const members = [member(9001)];
    const balancer = new LeastRequest(members);
    const pick = balancer.pick(request, NOW, []);
    expect(pick).toEqual({ member: members[0], decision: 'least-request', setCookie: undefined });
    expect(balancer.pick(request, NOW, [])).toBe(pick);
  });
});
