import type { Member } from '../upstream/member.ts';
import type { Balancer } from './balancer.ts';
import { ConsistentHash, type ConsistentHashOptions } from './consistent-hash.ts';
import { LeastRequest, type LeastRequestOptions, type RandomSource } from './least-request.ts';
import { SmoothWeightedRoundRobin, type RoundRobinOptions } from './smooth-weighted-round-robin.ts';
import { StickyCookie, type StickyCookieOptions } from './sticky-cookie.ts';

/** A service's balancer settings, as the config schema resolves them. */
export type BalancerConfig =
  | ({ readonly type: 'round-robin' } & RoundRobinOptions)
  | ({ readonly type: 'least-request' } & LeastRequestOptions)
  | ({ readonly type: 'sticky-cookie' } & StickyCookieOptions)
  | ({ readonly type: 'consistent-hash' } & ConsistentHashOptions);

/** Balancer types that need no options, so a bare name is enough (`balancer: round-robin`). */
export type BareBalancerType = 'round-robin' | 'least-request' | 'sticky-cookie';

/** What balancers may need besides config; injected by tests. */
export interface BalancerDependencies {
  readonly random?: RandomSource;
}

/**
 * Builds a service's balancer over its members, once per config load (members are fixed for
 * the balancer's life; a reload builds a new one).
 *
 * @example
 * createBalancer({ type: 'sticky-cookie', maxAgeSeconds: 3600, fallback: 'least-request' }, members)
 */
export function createBalancer(
  config: BalancerConfig | BareBalancerType,
  members: readonly Member[],
  dependencies: BalancerDependencies = {},
): Balancer {
  const resolved: BalancerConfig = typeof config === 'string' ? { type: config } : config;
  switch (resolved.type) {
    case 'round-robin':
      return new SmoothWeightedRoundRobin(members, resolved);
    case 'least-request':
      return new LeastRequest(members, resolved, dependencies.random);
    case 'sticky-cookie': {
      const fallback =
        resolved.fallback === 'least-request'
          ? new LeastRequest(members, {}, dependencies.random)
          : new SmoothWeightedRoundRobin(members);
      return new StickyCookie(members, fallback, resolved);
    }
    case 'consistent-hash':
      return new ConsistentHash(members, resolved);
    default:
      // Unreachable for validated config; guards callers that bypass the schema.
      throw new RangeError(`unknown balancer type "${(resolved as { type: unknown }).type}"`);
  }
}
