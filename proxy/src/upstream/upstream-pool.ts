import type { Logger } from '../log.ts';
import type { Balancer } from '../balancer/balancer.ts';
import { createBalancer } from '../balancer/create-balancer.ts';
import type { PoolColor, ServiceConfig, UpstreamConfig } from '../config/schema.ts';
import { ActiveHealthCheck } from '../health/active-health-check.ts';
import { OutlierDetector } from '../health/outlier-detector.ts';
import type { Member } from './member.ts';
import type { MemberRegistry } from './member-registry.ts';

/**
 * One pool of a service: its members, the balancer over them, and the health checking that
 * takes members out and brings them back. A plain service has one pool (no colour); a
 * blue/green service has two, checked alike whether active or idle, so the health of the pool
 * a switch would move traffic to is known before the switch.
 *
 * An exchange keeps the pool it started on for all its tries: a colour switch never moves a
 * request in flight, and retries stay on the colour that took the request.
 */
export class UpstreamPool {
  /** Blue/green colour; undefined for a service with a single pool. */
  readonly color: PoolColor | undefined;
  readonly members: readonly Member[];
  readonly balancer: Balancer;
  readonly #outliers: OutlierDetector | undefined;
  readonly #healthCheck: ActiveHealthCheck | undefined;
  #outlierTick: NodeJS.Timeout | undefined;

  constructor(color: PoolColor | undefined, upstreams: readonly UpstreamConfig[], config: ServiceConfig, registry: MemberRegistry, log: Logger) {
    this.color = color;
    this.members = upstreams.map((upstream) =>
      registry.acquire(upstream, { connections: config.connectionsPerMember, connectTimeoutMs: config.timeouts.connect }),
    );
    this.balancer = createBalancer(config.balancer, this.members);
    const poolLog = log.child(color === undefined ? { service: config.name } : { service: config.name, color });
    this.#outliers =
      config.outlierDetection === false
        ? undefined
        : new OutlierDetector(this.members, {
            consecutiveFailures: config.outlierDetection.consecutiveFailures,
            baseEjectionMs: config.outlierDetection.baseEjection,
            maxEjectionMs: config.outlierDetection.maxEjection,
            maxEjectedPercent: config.outlierDetection.maxEjectedPercent,
            onEject: (member, untilMs) => poolLog.warn({ member: member.url, ejectedForMs: untilMs - Date.now() }, 'upstream member ejected'),
            onReadmit: (member) => poolLog.info({ member: member.url }, 'upstream member readmitted'),
          });
    this.#healthCheck =
      config.healthCheck === false
        ? undefined
        : new ActiveHealthCheck(this.members, {
            path: config.healthCheck.path,
            intervalMs: config.healthCheck.interval,
            timeoutMs: config.healthCheck.timeout,
            healthyThreshold: config.healthCheck.healthyThreshold,
            unhealthyThreshold: config.healthCheck.unhealthyThreshold,
            onTransition: (member, healthy, reason) => {
              if (!healthy) {
                poolLog.warn({ member: member.url, reason }, 'upstream member unhealthy');
                return;
              }
              // A member that passes active checks again is readmitted at once, even if passive
              // detection ejected it (as Envoy's successful_active_health_check_uneject_host).
              member.ejectedUntil = 0;
              this.#outliers?.recordSuccess(member, Date.now());
              poolLog.info({ member: member.url, reason }, 'upstream member healthy');
            },
          });
  }

  /** Whether active health checks watch this pool (else every member counts as healthy). */
  get healthChecked(): boolean {
    return this.#healthCheck !== undefined;
  }

  /** Members that may take a request now (healthy and not ejected). */
  availableCount(now: number): number {
    let count = 0;
    for (const member of this.members) if (member.isAvailable(now)) count++;
    return count;
  }

  recordSuccess(member: Member): void {
    this.#outliers?.recordSuccess(member);
  }

  recordFailure(member: Member, now: number): void {
    this.#outliers?.recordFailure(member, now);
  }

  start(): void {
    this.#healthCheck?.start();
    if (this.#outliers !== undefined) {
      // Reports readmissions when ejections expire, not only on the member's next request.
      this.#outlierTick = setInterval(() => this.#outliers!.tick(Date.now()), 1_000).unref();
    }
  }

  stop(): void {
    void this.#healthCheck?.stop();
    clearInterval(this.#outlierTick);
  }
}
