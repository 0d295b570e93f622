import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { Member } from '../upstream/member.ts';
import type { BalancerRequest } from './balancer.ts';
import { ConsistentHash } from './consistent-hash.ts';
import { createBalancer, type BalancerConfig } from './create-balancer.ts';
import { LeastRequest } from './least-request.ts';
import { SmoothWeightedRoundRobin } from './smooth-weighted-round-robin.ts';
import { StickyCookie } from './sticky-cookie.ts';

const NOW = 1_000_000;
const request: BalancerRequest = { clientIp: '10.0.0.7', header: () => undefined, cookie: () => undefined };
const members = [9001, 9002].map((port) => new Member({ url: `http://127.0.0.1:${port}`, weight: 1 }, new Pool(`http://127.0.0.1:${port}`)));

describe('createBalancer', () => {
  it('builds the balancer named by the config type', () => {
    expect(createBalancer({ type: 'round-robin' }, members)).toBeInstanceOf(SmoothWeightedRoundRobin);
    expect(createBalancer({ type: 'least-request' }, members)).toBeInstanceOf(LeastRequest);
    expect(createBalancer({ type: 'sticky-cookie' }, members)).toBeInstanceOf(StickyCookie);
    expect(createBalancer({ type: 'consistent-hash', on: 'client-ip' }, members)).toBeInstanceOf(ConsistentHash);
  });

  it('accepts a bare type name for balancers without required options', () => {
    expect(createBalancer('round-robin', members).pick(request, NOW, [])?.decision).toBe('round-robin');
    expect(createBalancer('least-request', members).pick(request, NOW, [])?.decision).toBe('least-request');
    expect(createBalancer('sticky-cookie', members).pick(request, NOW, [])?.decision).toBe('sticky-new');
  });

  it('passes the sticky-cookie options through and uses the chosen fallback', () => {
    const balancer = createBalancer(
      { type: 'sticky-cookie', cookie: 'srv', maxAgeSeconds: 60, fallback: 'least-request' },
      members,
      // Both samples at position 0 then 1: the second member is idle, the first busy.
      { random: () => 0 },
    );
    members[0]!.active = 3;
    try {
      const pick = balancer.pick(request, NOW, []);
      expect(pick?.member).toBe(members[1]);
      expect(pick?.setCookie).toBe(`srv=${members[1]!.id}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax`);
    } finally {
      members[0]!.active = 0;
    }
  });

  it('uses the injected random source for least-request', () => {
    members[1]!.active = 1;
    try {
      // Position draws 0 and 0 -> members 0 and 1: member 0 has fewer in flight.
      expect(createBalancer('least-request', members, { random: () => 0 }).pick(request, NOW, [])?.member).toBe(members[0]);
    } finally {
      members[1]!.active = 0;
    }
  });

  it('hashes consistent-hash requests on the configured key', () => {
    const balancer = createBalancer({ type: 'consistent-hash', on: 'client-ip' }, members);
    const first = balancer.pick(request, NOW, []);
    expect(first?.decision).toBe('consistent-hash');
    expect(balancer.pick(request, NOW, [])).toBe(first);
  });

  it('rejects an unknown type from config that bypassed the schema', () => {
    expect(() => createBalancer({ type: 'random' } as unknown as BalancerConfig, members)).toThrow(/unknown balancer type "random"/);
  });
});
