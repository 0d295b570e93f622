import type { Member } from '../upstream/member.ts';
import type { Balancer, BalancerRequest, Pick } from './balancer.ts';

/** Options of the round-robin balancer (none yet; named so the config schema can match it). */
export interface RoundRobinOptions {}

/**
 * nginx's smooth weighted round-robin (ngx_http_upstream_get_peer): on every pick each
 * candidate's `current` grows by its weight, the largest wins and gives back the total.
 * Weights 5:1:1 give `a a b a c a a`, spreading the heavy member instead of bursting it;
 * equal weights give plain rotation. Unavailable and excluded members neither win nor
 * accumulate, as in nginx.
 */
export class SmoothWeightedRoundRobin implements Balancer {
  readonly #members: readonly Member[];
  /** nginx's `current_weight`, one slot per member. */
  readonly #current: Float64Array;
  /** One pre-built, immutable answer per member: picking allocates nothing. */
  readonly #picks: readonly Pick[];

  constructor(members: readonly Member[], _options: RoundRobinOptions = {}) {
    this.#members = members.slice();
    this.#current = new Float64Array(members.length);
    this.#picks = members.map((member) => ({ member, decision: 'round-robin', setCookie: undefined }));
  }

  pick(_request: BalancerRequest, now: number, exclude: readonly Member[]): Pick | undefined {
    const members = this.#members;
    const current = this.#current;
    let best = -1;
    let total = 0;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (!member.isAvailable(now) || (exclude.length !== 0 && exclude.includes(member))) continue;
      current[i]! += member.weight;
      total += member.weight;
      // Strictly greater: the first of equal candidates wins, which makes equal weights rotate.
      if (best === -1 || current[i]! > current[best]!) best = i;
    }
    if (best === -1) return undefined;
    current[best]! -= total;
    return this.#picks[best];
  }
}
