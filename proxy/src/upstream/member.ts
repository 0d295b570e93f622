import type { Pool } from '../undici-parts.ts';

/** Settings of one upstream member, resolved from the config. */
export interface MemberSpec {
  /** Origin of the member, e.g. `http://127.0.0.1:9001`. */
  readonly url: string;
  /** Relative share of traffic for weighted balancers (>= 1). */
  readonly weight: number;
}

/**
 * One upstream member: its connection pool and the live state that balancers, health checks
 * and outlier detection read and write. Plain mutable fields keep the hot path free of calls.
 */
export class Member {
  /** Stable short identifier (used in sticky cookies and telemetry); derived from the URL. */
  readonly id: string;
  readonly url: string;
  readonly weight: number;
  readonly host: string;
  readonly port: number;
  readonly pool: Pool;
  /** Requests currently in flight to this member. */
  active = 0;
  /** Verdict of the active health check (true until a check says otherwise). */
  healthy = true;
  /** Passive outlier ejection: epoch ms until which the member receives no traffic; 0 = not ejected. */
  ejectedUntil = 0;

  constructor(spec: MemberSpec, pool: Pool) {
    const url = new URL(spec.url);
    this.url = url.origin;
    this.host = url.hostname;
    this.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    this.weight = spec.weight;
    this.id = memberId(this.url);
    this.pool = pool;
  }

  /** Whether the member may receive a new request at `now` (epoch ms). */
  isAvailable(now: number): boolean {
    return this.healthy && this.ejectedUntil <= now;
  }
}

/** FNV-1a 32-bit of the origin, base36: short, stable across restarts and replicas. */
export function memberId(origin: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < origin.length; i++) {
    hash ^= origin.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
