import { Pool } from '../undici-parts.ts';
import { Member, type MemberSpec } from './member.ts';
import { preciseConnector } from './precise-connector.ts';

/** Connection settings of a member's pool. */
export interface PoolSettings {
  readonly connections: number;
  readonly connectTimeoutMs: number;
}

/**
 * Owns every member and its connection pool across config reloads: a reload that keeps a
 * member keeps its warm connections and health state; members no longer used are closed
 * gracefully (in-flight requests finish) when the old config is retired.
 */
export class MemberRegistry {
  readonly #members = new Map<string, Member>();

  /** The member for this spec, reused when an identical one exists. */
  acquire(spec: MemberSpec, settings: PoolSettings): Member {
    const origin = new URL(spec.url).origin;
    const key = `${origin}|${spec.weight}|${settings.connections}|${settings.connectTimeoutMs}`;
    let member = this.#members.get(key);
    if (member === undefined) {
      const pool = new Pool(origin, {
        connections: settings.connections,
        pipelining: 1,
        connect: preciseConnector(settings.connectTimeoutMs),
        // Idle upstream connections are dropped before a typical server's 5 s keep-alive
        // expires, so a request is never written to a socket the server is closing.
        keepAliveTimeout: 4_000,
        keepAliveTimeoutThreshold: 1_000,
      });
      member = new Member({ url: origin, weight: spec.weight }, pool);
      this.#members.set(key, member);
    }
    return member;
  }

  /** Closes the pools of members not in `keep`, letting their in-flight requests finish. */
  async retain(keep: ReadonlySet<Member>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [key, member] of this.#members) {
      if (keep.has(member)) continue;
      this.#members.delete(key);
      closing.push(member.pool.close());
    }
    await Promise.allSettled(closing);
  }

  /** Closes every pool (shutdown). */
  async closeAll(): Promise<void> {
    await this.retain(new Set());
  }
}
