import type { Member } from '../upstream/member.ts';
import type { Balancer, BalancerRequest, Pick } from './balancer.ts';

/** Options of the least-request balancer (none yet; named so the config schema can match it). */
export interface LeastRequestOptions {}

/** A source of uniform numbers in [0, 1), as `Math.random`. Injected by tests. */
export type RandomSource = () => number;

/**
 * Least request by the power of two random choices (Mitzenmacher; Envoy's LEAST_REQUEST):
 * sample two distinct candidates, send to the one with fewer requests in flight per unit of
 * weight. Nearly as good as a full scan, and it never herds every proxy worker onto the same
 * "least loaded" member. With one candidate it is picked.
 *
 * With unequal weights the two samples are drawn in proportion to weight, and a tie (an idle
 * pool) goes to the first sample, so idle traffic still follows the weights; under load the
 * comparison of `active / weight` keeps each member's in-flight count proportional to weight.
 */
export class LeastRequest implements Balancer {
  readonly #members: readonly Member[];
  readonly #picks: readonly Pick[];
  readonly #random: RandomSource;
  /** Decided once: equal weights need no weighted sampling. */
  readonly #weighted: boolean;
  /** Indices of this pick's candidates; reused so picking allocates nothing. */
  readonly #candidates: Uint32Array;

  constructor(members: readonly Member[], _options: LeastRequestOptions = {}, random: RandomSource = Math.random) {
    this.#members = members.slice();
    this.#picks = members.map((member) => ({ member, decision: 'least-request', setCookie: undefined }));
    this.#random = random;
    this.#weighted = members.some((member) => member.weight !== members[0]!.weight);
    this.#candidates = new Uint32Array(members.length);
  }

  pick(_request: BalancerRequest, now: number, exclude: readonly Member[]): Pick | undefined {
    const members = this.#members;
    const candidates = this.#candidates;
    let count = 0;
    let totalWeight = 0;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (!member.isAvailable(now) || (exclude.length !== 0 && exclude.includes(member))) continue;
      candidates[count++] = i;
      totalWeight += member.weight;
    }
    if (count === 0) return undefined;
    if (count === 1) return this.#picks[candidates[0]!];

    let first: number;
    let second: number;
    if (this.#weighted) {
      first = this.#sampleWeighted(count, totalWeight, -1);
      second = this.#sampleWeighted(count, totalWeight - members[first]!.weight, first);
    } else {
      // Two distinct uniform positions: draw the second from the n-1 others.
      const a = Math.floor(this.#random() * count);
      let b = Math.floor(this.#random() * (count - 1));
      if (b >= a) b++;
      first = candidates[a]!;
      second = candidates[b]!;
    }
    const x = members[first]!;
    const y = members[second]!;
    // active/weight compared by cross-multiplying: no division, exact for integers.
    return this.#picks[y.active * x.weight < x.active * y.weight ? second : first];
  }

  /** A member index among the candidates, in proportion to weight, never `skip`. */
  #sampleWeighted(count: number, totalWeight: number, skip: number): number {
    const members = this.#members;
    const candidates = this.#candidates;
    let target = this.#random() * totalWeight;
    let last = -1;
    for (let k = 0; k < count; k++) {
      const index = candidates[k]!;
      if (index === skip) continue;
      last = index;
      target -= members[index]!.weight;
      if (target < 0) return index;
    }
    // Only reached through floating-point rounding at the top end of the range.
    return last;
  }
}
