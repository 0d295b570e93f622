import type { Logger } from '../log.ts';
import type { Balancer } from '../balancer/balancer.ts';
import { createBalancer } from '../balancer/create-balancer.ts';
import type { ServiceConfig } from '../config/schema.ts';
import { ActiveHealthCheck } from '../health/active-health-check.ts';
import { OutlierDetector } from '../health/outlier-detector.ts';
import { ConcurrencyLimiter } from '../limits/concurrency-limiter.ts';
import { RetryBudget } from '../retry/retry-budget.ts';
import type { Member } from './member.ts';
import type { MemberRegistry } from './member-registry.ts';

/**
 * A configured service at run time: its members, balancer, health checking, limits and the
 * per-request settings resolved once, so the hot path reads plain fields.
 */
export class UpstreamService {
  readonly name: string;
  readonly config: ServiceConfig;
  readonly members: readonly Member[];
  readonly balancer: Balancer;
  readonly limiter: ConcurrencyLimiter | undefined;
  readonly retryBudget: RetryBudget;
  readonly maxTries: number;
  readonly headersTimeoutMs: number;
  readonly bodyIdleTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly maxRequestBodyBytes: number;
  /** Host header sent upstream: undefined forwards the client's, '' lets undici send the member's. */
  readonly hostOverride: string | undefined;
  readonly via: string | undefined;
  /** Path prefix removed before forwarding, or '' for none. */
  readonly stripPrefix: string;
  readonly #outliers: OutlierDetector | undefined;
  readonly #healthCheck: ActiveHealthCheck | undefined;
  #outlierTick: NodeJS.Timeout | undefined;

  constructor(config: ServiceConfig, registry: MemberRegistry, defaults: { maxRequestBodyBytes: number }, log: Logger) {
    this.name = config.name;
    this.config = config;
    this.members = config.upstreams.map((upstream) =>
      registry.acquire(upstream, { connections: config.connectionsPerMember, connectTimeoutMs: config.timeouts.connect }),
    );
    this.balancer = createBalancer(config.balancer, this.members);
    this.limiter =
      config.concurrency.max > 0
        ? new ConcurrencyLimiter({ maxConcurrent: config.concurrency.max, queueSize: config.concurrency.queue, queueTimeoutMs: config.concurrency.queueTimeout })
        : undefined;
    this.retryBudget = new RetryBudget({ ratio: config.retries.budget.ratio, minRetriesPerSecond: config.retries.budget.minPerSecond });
    this.maxTries = 1 + config.retries.attempts;
    this.headersTimeoutMs = config.timeouts.headers;
    this.bodyIdleTimeoutMs = config.timeouts.bodyIdle;
    this.totalTimeoutMs = config.timeouts.total;
    this.maxRequestBodyBytes = config.maxRequestBodyBytes ?? defaults.maxRequestBodyBytes;
    this.hostOverride = config.hostHeader === 'preserve' ? undefined : config.hostHeader === 'upstream' ? '' : config.hostHeader;
    this.via = config.via ? '1.1 lookout' : undefined;
    this.stripPrefix = config.stripPrefix && config.pathPrefix !== '/' ? config.pathPrefix.replace(/\/+$/, '') : '';
    const serviceLog = log.child({ service: config.name });
    this.#outliers =
      config.outlierDetection === false
        ? undefined
        : new OutlierDetector(this.members, {
            consecutiveFailures: config.outlierDetection.consecutiveFailures,
            baseEjectionMs: config.outlierDetection.baseEjection,
            maxEjectionMs: config.outlierDetection.maxEjection,
            maxEjectedPercent: config.outlierDetection.maxEjectedPercent,
            onEject: (member, untilMs) => serviceLog.warn({ member: member.url, ejectedForMs: untilMs - Date.now() }, 'upstream member ejected'),
            onReadmit: (member) => serviceLog.info({ member: member.url }, 'upstream member readmitted'),
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
                serviceLog.warn({ member: member.url, reason }, 'upstream member unhealthy');
                return;
              }
              // A member that passes active checks again is readmitted at once, even if passive
              // detection ejected it (as Envoy's successful_active_health_check_uneject_host).
              member.ejectedUntil = 0;
              this.#outliers?.recordSuccess(member, Date.now());
              serviceLog.info({ member: member.url, reason }, 'upstream member healthy');
            },
          });
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
