import type { Member } from '../upstream/member.ts';

/** What a balancer may look at in the request. Implemented over Node's IncomingMessage. */
export interface BalancerRequest {
  /** Client IP address as seen by the proxy. */
  readonly clientIp: string;
  /** A request header, lower-case name; first value when repeated. */
  header(name: string): string | undefined;
  /** A cookie value from the Cookie header. */
  cookie(name: string): string | undefined;
}

/** A balancer's choice. `decision` names how it was made (recorded in telemetry). */
export interface Pick {
  readonly member: Member;
  readonly decision: string;
  /** A Set-Cookie value the response must carry (sticky sessions), if any. */
  readonly setCookie?: string;
}

/**
 * Chooses a member for a request. Only members available at `now` are chosen, never one in
 * `exclude` (members already tried by this request). Returns undefined when none is left.
 */
export interface Balancer {
  pick(request: BalancerRequest, now: number, exclude: readonly Member[]): Pick | undefined;
}
