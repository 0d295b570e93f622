import type { Member } from '../upstream/member.ts';
import type { Balancer, BalancerRequest, Pick } from './balancer.ts';

/** Options of the sticky-cookie balancer. */
export interface StickyCookieOptions {
  /** Cookie name; default `lookout_affinity`. */
  readonly cookie?: string;
  /** Lifetime of the cookie; absent = a session cookie. Counted from assignment (not sliding). */
  readonly maxAgeSeconds?: number;
  /** Add the `Secure` attribute (clients reach the proxy over TLS terminated in front of it). */
  readonly secure?: boolean;
  /** Balancer for requests without a usable cookie; default round-robin (used by `createBalancer`). */
  readonly fallback?: 'round-robin' | 'least-request';
}

/** Default name of the affinity cookie. */
export const DEFAULT_AFFINITY_COOKIE = 'lookout_affinity';

/** RFC 6265 §4.1.1: cookie-name is an RFC 9110 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The pre-built answers for one member, so a pick allocates nothing. */
interface MemberPicks {
  readonly hit: Pick;
  readonly new: Pick;
  readonly moved: Pick;
}

/**
 * Session affinity by cookie. The cookie holds the member's `id` (a hash of its origin, so
 * it stays valid across restarts and proxy replicas). A request whose cookie names an
 * available, non-excluded member goes there (`sticky-hit`, no Set-Cookie). Otherwise the
 * fallback picks and the response sets the cookie: `sticky-new` when there was no cookie,
 * `sticky-moved` when it named a member that is unavailable, excluded (a retry) or gone from
 * the config.
 *
 * @example
 * new StickyCookie(members, new SmoothWeightedRoundRobin(members), { maxAgeSeconds: 3600 })
 * // first response: Set-Cookie: lookout_affinity=1x2y3z; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax
 */
export class StickyCookie implements Balancer {
  readonly #fallback: Balancer;
  readonly #cookie: string;
  readonly #byId: Map<string, Member>;
  readonly #picks: Map<Member, MemberPicks>;

  constructor(members: readonly Member[], fallback: Balancer, options: StickyCookieOptions = {}) {
    const cookie = options.cookie ?? DEFAULT_AFFINITY_COOKIE;
    if (!COOKIE_NAME.test(cookie)) throw new RangeError(`sticky-cookie: invalid cookie name "${cookie}"`);
    const maxAge = options.maxAgeSeconds;
    if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0)) {
      throw new RangeError(`sticky-cookie: maxAgeSeconds must be a non-negative integer, got ${maxAge}`);
    }
    // Attributes per RFC 6265 §4.1: Path=/ so every path of the virtual host shares the session.
    const attributes =
      '; Path=/' + (maxAge === undefined ? '' : `; Max-Age=${maxAge}`) + (options.secure ? '; Secure' : '') + '; HttpOnly; SameSite=Lax';

    this.#fallback = fallback;
    this.#cookie = cookie;
    this.#byId = new Map(members.map((member) => [member.id, member]));
    this.#picks = new Map(
      members.map((member) => {
        const setCookie = `${cookie}=${member.id}${attributes}`;
        const picks: MemberPicks = {
          hit: { member, decision: 'sticky-hit', setCookie: undefined },
          new: { member, decision: 'sticky-new', setCookie },
          moved: { member, decision: 'sticky-moved', setCookie },
        };
        return [member, picks];
      }),
    );
  }

  pick(request: BalancerRequest, now: number, exclude: readonly Member[]): Pick | undefined {
    const id = request.cookie(this.#cookie);
    if (id !== undefined) {
      const member = this.#byId.get(id);
      if (member !== undefined && member.isAvailable(now) && (exclude.length === 0 || !exclude.includes(member))) {
        return this.#picks.get(member)!.hit;
      }
    }
    const chosen = this.#fallback.pick(request, now, exclude);
    if (chosen === undefined) return undefined;
    const picks = this.#picks.get(chosen.member);
    // A fallback built over other members is a wiring bug; still answer, without affinity.
    if (picks === undefined) return chosen;
    return id === undefined ? picks.new : picks.moved;
  }
}
