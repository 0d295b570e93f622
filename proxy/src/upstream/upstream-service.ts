import type { Logger } from '../log.ts';
import { POOL_COLORS, type PoolColor, type ServiceConfig } from '../config/schema.ts';
import { ConcurrencyLimiter } from '../limits/concurrency-limiter.ts';
import { RetryBudget } from '../retry/retry-budget.ts';
import { ColorSwitchError, type BlueGreenStatus, type ColorSource, type ColorSwitchResult } from './color-switch.ts';
import type { Member } from './member.ts';
import type { MemberRegistry } from './member-registry.ts';
import { UpstreamPool } from './upstream-pool.ts';

/**
 * A configured service at run time: its pools of members (one, or blue and green), limits and
 * the per-request settings resolved once, so the hot path reads plain fields.
 *
 * `active` is the pool new requests go to. A blue/green switch replaces that one reference;
 * an exchange reads it once when it starts, so requests in flight finish where they began.
 */
export class UpstreamService {
  readonly name: string;
  readonly config: ServiceConfig;
  /** One pool (plain service) or two (blue, then green). */
  readonly pools: readonly UpstreamPool[];
  /** Every member of every pool. */
  readonly members: readonly Member[];
  /** The pool new requests go to. */
  active: UpstreamPool;
  readonly limiter: ConcurrencyLimiter | undefined;
  readonly retryBudget: RetryBudget;
  readonly maxTries: number;
  /** Largest Content-Length of a response held until complete so it can still be retried; 0 = none. */
  readonly holdResponseBytes: number;
  readonly headersTimeoutMs: number;
  readonly bodyIdleTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly maxRequestBodyBytes: number;
  /** Host header sent upstream: undefined forwards the client's, '' lets undici send the member's. */
  readonly hostOverride: string | undefined;
  readonly via: string | undefined;
  /** Path prefix removed before forwarding, or '' for none. */
  readonly stripPrefix: string;
  readonly #log: Logger;
  #colorSource: ColorSource = 'config';
  #previousColor: PoolColor | undefined = undefined;
  #switchedAt = 0;

  constructor(config: ServiceConfig, registry: MemberRegistry, defaults: { maxRequestBodyBytes: number }, log: Logger) {
    this.name = config.name;
    this.config = config;
    this.#log = log.child({ service: config.name });
    const blueGreen = config.blueGreen;
    this.pools =
      blueGreen === undefined
        ? [new UpstreamPool(undefined, config.upstreams ?? [], config, registry, log)]
        : POOL_COLORS.map((color) => new UpstreamPool(color, blueGreen[color], config, registry, log));
    this.active = blueGreen === undefined ? this.pools[0]! : this.#pool(blueGreen.active)!;
    this.members = this.pools.flatMap((pool) => pool.members);
    this.limiter =
      config.concurrency.max > 0
        ? new ConcurrencyLimiter({ maxConcurrent: config.concurrency.max, queueSize: config.concurrency.queue, queueTimeoutMs: config.concurrency.queueTimeout })
        : undefined;
    this.retryBudget = new RetryBudget({ ratio: config.retries.budget.ratio, minRetriesPerSecond: config.retries.budget.minPerSecond });
    this.maxTries = 1 + config.retries.attempts;
    this.holdResponseBytes = this.maxTries > 1 ? config.retries.holdResponseBody : 0;
    this.headersTimeoutMs = config.timeouts.headers;
    this.bodyIdleTimeoutMs = config.timeouts.bodyIdle;
    this.totalTimeoutMs = config.timeouts.total;
    this.maxRequestBodyBytes = config.maxRequestBodyBytes ?? defaults.maxRequestBodyBytes;
    this.hostOverride = config.hostHeader === 'preserve' ? undefined : config.hostHeader === 'upstream' ? '' : config.hostHeader;
    this.via = config.via ? '1.1 lookout' : undefined;
    this.stripPrefix = config.stripPrefix && config.pathPrefix !== '/' ? config.pathPrefix.replace(/\/+$/, '') : '';
  }

  /**
   * Makes `color` the active pool: new requests go there at once, requests in flight finish on
   * the pool they started on. Rollback is the same call with the other colour. Refused with a
   * ColorSwitchError when the service has one pool, or when no member of the target pool is
   * available (healthy and not ejected) unless `force` is set.
   */
  switchColor(color: PoolColor, options: { force?: boolean; now?: number } = {}): ColorSwitchResult {
    const now = options.now ?? Date.now();
    if (this.config.blueGreen === undefined) throw new ColorSwitchError('SWITCH_NOT_BLUE_GREEN', `service "${this.name}"`);
    const target = this.#pool(color)!;
    const changed = target !== this.active;
    const unavailable = changed && target.availableCount(now) === 0;
    if (unavailable && options.force !== true) {
      throw new ColorSwitchError('SWITCH_POOL_UNAVAILABLE', `service "${this.name}", ${color} pool (${target.members.length} members)`);
    }
    if (changed) {
      const previous = this.active.color;
      this.#activate(target, 'admin', now);
      this.#log.warn({ color, previous, forced: unavailable, available: target.availableCount(now) }, `blue/green switch: new requests go to the ${color} pool`);
    }
    return { service: this.name, changed, forced: unavailable, blueGreen: this.blueGreenStatus(now)! };
  }

  /**
   * After a reload: keeps a colour switched through the admin API when the file still names
   * the colour it named before the switch (the switch is newer than the file). When the file's
   * `active` changed, the file wins.
   */
  inheritColor(previous: UpstreamService): void {
    const before = previous.config.blueGreen;
    const now = this.config.blueGreen;
    if (before === undefined || now === undefined) return;
    this.#previousColor = previous.#previousColor;
    this.#switchedAt = previous.#switchedAt;
    if (previous.#colorSource === 'admin' && before.active === now.active) {
      const color = previous.active.color!;
      this.active = this.#pool(color)!;
      this.#colorSource = 'admin';
      if (color !== now.active) this.#log.info({ color, configured: now.active }, 'config reload: keeping the colour switched through the admin API');
    } else if (previous.active.color !== this.active.color) {
      this.#previousColor = previous.active.color;
      this.#switchedAt = Date.now();
      this.#log.warn({ color: this.active.color, previous: previous.active.color }, `blue/green switch by config reload: new requests go to the ${this.active.color} pool`);
    }
  }

  /** The blue/green state, undefined for a service with one pool. */
  blueGreenStatus(now: number = Date.now()): BlueGreenStatus | undefined {
    const config = this.config.blueGreen;
    if (config === undefined) return undefined;
    const health = (color: PoolColor) => {
      const pool = this.#pool(color)!;
      return { members: pool.members.length, available: pool.availableCount(now), healthChecked: pool.healthChecked };
    };
    return {
      active: this.active.color!,
      configured: config.active,
      source: this.#colorSource,
      previous: this.#previousColor,
      switchedAt: this.#switchedAt === 0 ? undefined : new Date(this.#switchedAt).toISOString(),
      pools: { blue: health('blue'), green: health('green') },
    };
  }

  start(): void {
    for (const pool of this.pools) pool.start();
  }

  stop(): void {
    for (const pool of this.pools) pool.stop();
  }

  #pool(color: PoolColor): UpstreamPool | undefined {
    return this.pools.find((pool) => pool.color === color);
  }

  #activate(pool: UpstreamPool, source: ColorSource, at: number): void {
    if (pool !== this.active) this.#previousColor = this.active.color;
    this.active = pool;
    this.#colorSource = source;
    this.#switchedAt = at;
  }
}
