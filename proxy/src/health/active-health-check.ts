import { Client } from '../undici-parts.ts';
import type { Member } from '../upstream/member.ts';

/** Settings of active health checking; times in ms. */
export interface ActiveHealthCheckOptions {
  /** Path requested with GET; default `/health`. */
  readonly path?: string;
  /** Pause between the end of one check of a member and the start of the next; default 2000. */
  readonly intervalMs?: number;
  /** Limit on one check, connect included; default 1000. */
  readonly timeoutMs?: number;
  /** Consecutive failed checks that mark a healthy member unhealthy ("fall"); default 2. */
  readonly unhealthyThreshold?: number;
  /** Consecutive passed checks that mark an unhealthy member healthy ("rise"); default 2. */
  readonly healthyThreshold?: number;
  /** Inclusive range of statuses that pass; default [200, 399]. */
  readonly expectedStatus?: readonly [min: number, max: number];
  /** Host header of the checks; default the member's host:port. */
  readonly host?: string;
  /**
   * Called when a member changes state; `reason` is the last check's outcome (`status 503`,
   * `ECONNREFUSED`, `timeout`, ...).
   */
  readonly onTransition?: (member: Member, healthy: boolean, reason: string) => void;
}

/** Per member: its check connection, timer and run of results. Fixed shape. */
class Probe {
  readonly member: Member;
  client: Client | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  passes = 0;
  failures = 0;

  constructor(member: Member) {
    this.member = member;
  }
}

/**
 * Active health checks: every `intervalMs` per member, `GET path`; `unhealthyThreshold`
 * failures in a row set `member.healthy = false`, `healthyThreshold` passes in a row set it
 * back, as HAProxy's fall/rise. Members start healthy (`Member.healthy`), so a new config
 * takes traffic at once and the checks take out what is down.
 *
 * Checks go through a small `Client` per member, not the member's traffic `Pool`: when the
 * pool is saturated a check queued behind traffic would time out and take a busy but healthy
 * member out, removing capacity exactly under load. Each check opens a fresh connection
 * (`reset: true`, as HAProxy does), so it also proves the member accepts connections and can
 * never fail on a keep-alive connection the member closed between checks.
 *
 * A member's next check is scheduled when its current one ends, so checks never overlap.
 * Timers are unref'd: checks never keep the process alive.
 */
export class ActiveHealthCheck {
  readonly #probes: readonly Probe[];
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #fall: number;
  readonly #rise: number;
  readonly #minStatus: number;
  readonly #maxStatus: number;
  readonly #host: string | undefined;
  readonly #onTransition: ActiveHealthCheckOptions['onTransition'];
  #running = false;

  constructor(members: readonly Member[], options: ActiveHealthCheckOptions = {}) {
    this.#probes = members.map((member) => new Probe(member));
    this.#path = options.path ?? '/health';
    if (!this.#path.startsWith('/')) throw new RangeError(`health check: path must start with "/", got "${this.#path}"`);
    this.#intervalMs = positive('intervalMs', options.intervalMs ?? 2_000);
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? 1_000);
    this.#fall = positive('unhealthyThreshold', options.unhealthyThreshold ?? 2);
    this.#rise = positive('healthyThreshold', options.healthyThreshold ?? 2);
    [this.#minStatus, this.#maxStatus] = options.expectedStatus ?? [200, 399];
    this.#host = options.host;
    this.#onTransition = options.onTransition;
  }

  /** Starts checking every member, the first check at once. Idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const probe of this.#probes) {
      probe.client = new Client(probe.member.url, {
        connect: { timeout: this.#timeoutMs },
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      void this.#check(probe);
    }
  }

  /** Stops the checks, aborting those in flight; members keep their last state. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const closing: Promise<void>[] = [];
    for (const probe of this.#probes) {
      clearTimeout(probe.timer);
      probe.timer = undefined;
      if (probe.client !== undefined) closing.push(probe.client.destroy());
      probe.client = undefined;
    }
    await Promise.all(closing);
  }

  async #check(probe: Probe): Promise<void> {
    probe.timer = undefined;
    const client = probe.client;
    if (client === undefined) return;
    let passed = false;
    let reason: string;
    try {
      const response = await client.request({
        method: 'GET',
        path: this.#path,
        headers: this.#host === undefined ? undefined : { host: this.#host },
        reset: true,
        // Bounds the whole check; the client's own timeouts bound each phase.
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await readCheckBody(response.body);
      passed = response.statusCode >= this.#minStatus && response.statusCode <= this.#maxStatus;
      reason = `status ${response.statusCode}`;
    } catch (error) {
      reason = describe(error);
    }
    // Stopped (or stopped and restarted with a new client) while this check was in flight.
    if (probe.client !== client) return;
    this.#record(probe, passed, reason);
    probe.timer = setTimeout(() => void this.#check(probe), this.#intervalMs).unref();
  }

  #record(probe: Probe, passed: boolean, reason: string): void {
    const member = probe.member;
    if (passed) {
      probe.failures = 0;
      probe.passes++;
      if (!member.healthy && probe.passes >= this.#rise) {
        member.healthy = true;
        this.#onTransition?.(member, true, reason);
      }
    } else {
      probe.passes = 0;
      probe.failures++;
      if (member.healthy && probe.failures >= this.#fall) {
        member.healthy = false;
        this.#onTransition?.(member, false, reason);
      }
    }
  }
}

/** Bytes of a check response read before the rest is dropped (the status decides beyond that). */
const CHECK_BODY_LIMIT = 64 * 1024;

/**
 * Reads a check response's body to its end, so that a member resetting mid-body fails the check
 * (undici's `body.dump()` swallows body errors), dropping whatever follows the first
 * {@link CHECK_BODY_LIMIT} bytes.
 */
async function readCheckBody(body: AsyncIterable<Buffer>): Promise<void> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > CHECK_BODY_LIMIT) return;
  }
}

/** A short, stable label for a failed check: the error code when there is one. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : code;
    }
    return error.name;
  }
  return 'error';
}

function positive(name: string, value: number): number {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`health check: ${name} must be a positive number, got ${value}`);
  return value;
}
