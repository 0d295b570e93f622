import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { Member } from '../upstream/member.ts';
import type { Balancer, BalancerRequest } from './balancer.ts';
import { SmoothWeightedRoundRobin } from './smooth-weighted-round-robin.ts';
import { StickyCookie } from './sticky-cookie.ts';

const NOW = 1_000_000;

function member(port: number): Member {
  const url = `http://127.0.0.1:${port}`;
  return new Member({ url, weight: 1 }, new Pool(url));
}

function withCookies(cookies: Record<string, string> = {}): BalancerRequest {
  return { clientIp: '127.0.0.1', header: () => undefined, cookie: (name) => cookies[name] };
}

function setup(options: ConstructorParameters<typeof StickyCookie>[2] = {}) {
  const members = [member(9001), member(9002), member(9003)];
  const sticky = new StickyCookie(members, new SmoothWeightedRoundRobin(members), options);
  return { members, sticky };
}

describe('StickyCookie', () => {
  it('assigns a new session through the fallback and sets the affinity cookie', () => {
    const { members, sticky } = setup();
    const pick = sticky.pick(withCookies(), NOW, []);
    expect(pick?.member).toBe(members[0]);
    expect(pick?.decision).toBe('sticky-new');
    expect(pick?.setCookie).toBe(`lookout_affinity=${members[0]!.id}; Path=/; HttpOnly; SameSite=Lax`);
  });

  it('sends a request whose cookie names an available member to that member, without a new cookie', () => {
    const { members, sticky } = setup();
    for (let i = 0; i < 5; i++) {
      const pick = sticky.pick(withCookies({ lookout_affinity: members[2]!.id }), NOW, []);
      expect(pick).toEqual({ member: members[2], decision: 'sticky-hit', setCookie: undefined });
    }
  });

  it('moves a session off an unhealthy member and points the cookie at the new one', () => {
    const { members, sticky } = setup();
    members[0]!.healthy = false;
    const pick = sticky.pick(withCookies({ lookout_affinity: members[0]!.id }), NOW, []);
    expect(pick?.member).toBe(members[1]);
    expect(pick?.decision).toBe('sticky-moved');
    expect(pick?.setCookie).toBe(`lookout_affinity=${members[1]!.id}; Path=/; HttpOnly; SameSite=Lax`);
  });

  it('moves a session off an ejected member until its ejection ends', () => {
    const { members, sticky } = setup();
    members[1]!.ejectedUntil = NOW + 10;
    const cookies = withCookies({ lookout_affinity: members[1]!.id });
    expect(sticky.pick(cookies, NOW, [])?.decision).toBe('sticky-moved');
    expect(sticky.pick(cookies, NOW + 10, [])?.decision).toBe('sticky-hit');
  });

  it('moves a retried request off the member it already tried', () => {
    const { members, sticky } = setup();
    const pick = sticky.pick(withCookies({ lookout_affinity: members[0]!.id }), NOW, [members[0]!]);
    expect(pick?.member).not.toBe(members[0]);
    expect(pick?.decision).toBe('sticky-moved');
  });

  it('treats a cookie naming an unknown member (removed from the config, or forged) as moved', () => {
    const { sticky } = setup();
    expect(sticky.pick(withCookies({ lookout_affinity: 'nosuchmember' }), NOW, [])?.decision).toBe('sticky-moved');
  });

  it('uses the configured cookie name, Max-Age and Secure attribute', () => {
    const { members, sticky } = setup({ cookie: 'route', maxAgeSeconds: 3600, secure: true });
    expect(sticky.pick(withCookies({ lookout_affinity: members[2]!.id }), NOW, [])?.setCookie).toBe(
      `route=${members[0]!.id}; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax`,
    );
    expect(sticky.pick(withCookies({ route: members[2]!.id }), NOW, [])?.decision).toBe('sticky-hit');
  });

  it('returns undefined when the fallback finds no member', () => {
    const { members, sticky } = setup();
    for (const m of members) m.healthy = false;
    expect(sticky.pick(withCookies({ lookout_affinity: members[0]!.id }), NOW, [])).toBeUndefined();
  });

  it('returns the fallback pick unchanged when the fallback chose a member it does not know', () => {
    const stranger = member(9999);
    const fallback: Balancer = { pick: () => ({ member: stranger, decision: 'round-robin' }) };
    const sticky = new StickyCookie([member(9001)], fallback);
    expect(sticky.pick(withCookies(), NOW, [])).toEqual({ member: stranger, decision: 'round-robin' });
  });

  it('rejects a cookie name that is not an RFC 6265 token and a negative Max-Age', () => {
    const members = [member(9001)];
    const fallback = new SmoothWeightedRoundRobin(members);
    expect(() => new StickyCookie(members, fallback, { cookie: 'a b' })).toThrow(/invalid cookie name/);
    expect(() => new StickyCookie(members, fallback, { cookie: 'a;b' })).toThrow(/invalid cookie name/);
    expect(() => new StickyCookie(members, fallback, { maxAgeSeconds: -1 })).toThrow(/maxAgeSeconds/);
  });
});
