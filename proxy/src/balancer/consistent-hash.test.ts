import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { Member } from '../upstream/member.ts';
import type { BalancerRequest } from './balancer.ts';
import { ConsistentHash } from './consistent-hash.ts';

const NOW = 1_000_000;
const KEYS = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

function member(port: number, weight = 1): Member {
  const url = `http://127.0.0.1:${port}`;
  return new Member({ url, weight }, new Pool(url));
}

function pool(size: number): Member[] {
  return Array.from({ length: size }, (_, i) => member(9001 + i));
}

function byHeader(value: string | undefined): BalancerRequest {
  return { clientIp: '10.0.0.1', header: (name) => (name === 'x-user' ? value : undefined), cookie: () => undefined };
}

/** The member each key maps to. */
function assign(balancer: ConsistentHash, exclude: readonly Member[] = []): Map<string, Member> {
  return new Map(KEYS.map((key) => [key, balancer.pick(byHeader(key), NOW, exclude)!.member]));
}

function shares(assignment: Map<string, Member>, members: readonly Member[]): number[] {
  return members.map((m) => [...assignment.values()].filter((chosen) => chosen === m).length / assignment.size);
}

describe('ConsistentHash', () => {
  it('sends every request with the same key to the same member', () => {
    const balancer = new ConsistentHash(pool(5), { on: 'header', name: 'x-user' });
    const first = balancer.pick(byHeader('alice'), NOW, []);
    expect(first?.decision).toBe('consistent-hash');
    for (let i = 0; i < 10; i++) expect(balancer.pick(byHeader('alice'), NOW, [])).toBe(first);
  });

  it('spreads keys roughly evenly over equal members', () => {
    const members = pool(4);
    for (const share of shares(assign(new ConsistentHash(members, { on: 'header', name: 'x-user' })), members)) {
      expect(share).toBeGreaterThan(0.25 * 0.8);
      expect(share).toBeLessThan(0.25 * 1.2);
    }
  });

  it('gives a member a share of keys proportional to its weight', () => {
    const members = [member(9001, 3), member(9002, 1)];
    const [heavy] = shares(assign(new ConsistentHash(members, { on: 'header', name: 'x-user' })), members);
    expect(heavy).toBeGreaterThan(0.68);
    expect(heavy).toBeLessThan(0.82);
  });

  it('remaps only the keys of a removed member, about 1/N of them', () => {
    const members = pool(5);
    const before = assign(new ConsistentHash(members, { on: 'header', name: 'x-user' }));
    const removed = members[2]!;
    const after = assign(new ConsistentHash(members.filter((m) => m !== removed), { on: 'header', name: 'x-user' }));
    const stayedOnSurvivors = KEYS.filter((key) => before.get(key) !== removed);
    expect(stayedOnSurvivors.filter((key) => after.get(key) !== before.get(key))).toEqual([]);
    const moved = KEYS.length - stayedOnSurvivors.length;
    expect(moved / KEYS.length).toBeGreaterThan(0.2 * 0.8);
    expect(moved / KEYS.length).toBeLessThan(0.2 * 1.2);
  });

  it('moves keys only onto an added member', () => {
    const members = pool(4);
    const before = assign(new ConsistentHash(members, { on: 'header', name: 'x-user' }));
    const added = member(9100);
    const after = assign(new ConsistentHash([...members, added], { on: 'header', name: 'x-user' }));
    const movedKeys = KEYS.filter((key) => after.get(key) !== before.get(key));
    expect(movedKeys.filter((key) => after.get(key) !== added)).toEqual([]);
    const moved = movedKeys.length;
    expect(moved / KEYS.length).toBeGreaterThan(0.2 * 0.8);
    expect(moved / KEYS.length).toBeLessThan(0.2 * 1.2);
  });

  it('spreads the keys of an unavailable member over the others and takes them back when it returns', () => {
    const members = pool(4);
    const balancer = new ConsistentHash(members, { on: 'header', name: 'x-user' });
    const before = assign(balancer);
    const down = members[1]!;
    down.healthy = false;
    const during = assign(balancer);
    const receivers = new Set(KEYS.filter((key) => before.get(key) === down).map((key) => during.get(key)));
    expect(KEYS.filter((key) => before.get(key) !== down && during.get(key) !== before.get(key))).toEqual([]);
    expect(receivers.has(down)).toBe(false);
    expect(receivers.size).toBe(3);
    down.healthy = true;
    const after = assign(balancer);
    expect(KEYS.filter((key) => after.get(key) !== before.get(key))).toEqual([]);
  });

  it('sends a retry to the next member on the ring, the same one an outage of the first would pick', () => {
    const members = pool(4);
    const balancer = new ConsistentHash(members, { on: 'header', name: 'x-user' });
    const first = balancer.pick(byHeader('bob'), NOW, [])!.member;
    const retry = balancer.pick(byHeader('bob'), NOW, [first])!.member;
    expect(retry).not.toBe(first);
    first.ejectedUntil = NOW + 1;
    expect(balancer.pick(byHeader('bob'), NOW, [])!.member).toBe(retry);
  });

  it('builds the same ring whatever the order of the members in the config', () => {
    const members = pool(5);
    const forward = assign(new ConsistentHash(members, { on: 'header', name: 'x-user' }));
    const reversed = assign(new ConsistentHash([...members].reverse(), { on: 'header', name: 'x-user' }));
    expect(KEYS.filter((key) => reversed.get(key) !== forward.get(key))).toEqual([]);
  });

  it('hashes on a header named in any case, a cookie, or the client IP', () => {
    const members = pool(8);
    const header = new ConsistentHash(members, { on: 'header', name: 'X-User' });
    const cookie = new ConsistentHash(members, { on: 'cookie', name: 'session' });
    const clientIp = new ConsistentHash(members, { on: 'client-ip' });
    const chosen = (balancer: ConsistentHash, make: (key: string) => BalancerRequest) =>
      new Set(KEYS.slice(0, 200).map((key) => balancer.pick(make(key), NOW, [])!.member)).size;
    expect(chosen(header, byHeader)).toBe(8);
    expect(chosen(cookie, (key) => ({ clientIp: '10.0.0.1', header: () => undefined, cookie: (n) => (n === 'session' ? key : undefined) }))).toBe(8);
    expect(chosen(clientIp, (key) => ({ clientIp: key, header: () => undefined, cookie: () => undefined }))).toBe(8);
    // The same key gives the same member whatever it was read from.
    const viaHeader = header.pick(byHeader('k1'), NOW, [])!.member;
    expect(clientIp.pick({ clientIp: 'k1', header: () => undefined, cookie: () => undefined }, NOW, [])!.member).toBe(viaHeader);
  });

  it('balances requests without a key (absent or empty) by round-robin, labelled as such', () => {
    const members = pool(3);
    const balancer = new ConsistentHash(members, { on: 'header', name: 'x-user' });
    const picks = [undefined, '', undefined].map((key) => balancer.pick(byHeader(key), NOW, []));
    expect(picks.map((pick) => pick?.member)).toEqual(members);
    expect(picks.map((pick) => pick?.decision)).toEqual(['round-robin', 'round-robin', 'round-robin']);
  });

  it('returns undefined when every member is unavailable or excluded, and for an empty pool', () => {
    const members = pool(3);
    members[0]!.healthy = false;
    members[1]!.ejectedUntil = NOW + 1;
    const balancer = new ConsistentHash(members, { on: 'header', name: 'x-user' });
    expect(balancer.pick(byHeader('carol'), NOW, [members[2]!])).toBeUndefined();
    expect(balancer.pick(byHeader('carol'), NOW, [])?.member).toBe(members[2]);
    expect(new ConsistentHash([], { on: 'client-ip' }).pick(byHeader('carol'), NOW, [])).toBeUndefined();
  });

  it('scales large weights down to a bounded ring and keeps their proportions', () => {
    const members = [member(9001, 1000), member(9002, 1000), member(9003, 500)];
    const [a, b, c] = shares(assign(new ConsistentHash(members, { on: 'header', name: 'x-user' })), members);
    expect(a).toBeGreaterThan(0.4 * 0.85);
    expect(b).toBeGreaterThan(0.4 * 0.85);
    expect(c).toBeGreaterThan(0.2 * 0.8);
    expect(c).toBeLessThan(0.2 * 1.2);
  });

  it('requires a name to hash on a header or a cookie', () => {
    expect(() => new ConsistentHash(pool(2), { on: 'header' })).toThrow(/"name" is required/);
    expect(() => new ConsistentHash(pool(2), { on: 'cookie', name: '' })).toThrow(/"name" is required/);
  });
});
