import type { Member } from '../upstream/member.ts';

/** Settings of passive outlier detection; times in ms. Defaults follow Envoy except the percent cap. */
export interface OutlierDetectorOptions {
  /** Consecutive failures that eject a member; default 5. */
  readonly consecutiveFailures?: number;
  /** Ejection time for a first ejection; the n-th consecutive ejection lasts n times this. Default 30 s. */
  readonly baseEjectionMs?: number;
  /** Longest ejection; default 300 s (never below `baseEjectionMs`). */
  readonly maxEjectionMs?: number;
  /** Share of the pool that may be out of rotation at once; default 50. See `OutlierDetector`. */
  readonly maxEjectedPercent?: number;
  /** Each period of this length spent in rotation forgives one past ejection; default 10 s (Envoy's `interval`). */
  readonly decayIntervalMs?: number;
  /** Called when a member is ejected, with the epoch ms its ejection ends. */
  readonly onEject?: (member: Member, until: number, timesEjected: number) => void;
  /** Called when an ejected member is seen back in rotation (see `tick`). */
  readonly onReadmit?: (member: Member) => void;
  /** Called once per run of failures when the percent cap prevented an ejection. */
  readonly onEjectSkipped?: (member: Member) => void;
}

/** Live detection state of one member; one object per member, fixed shape. */
class OutlierState {
  consecutiveFailures = 0;
  /** Ejections not yet forgiven: the multiplier of the next ejection time. */
  timesEjected = 0;
  ejected = false;
  /** Start of the current run in rotation, advanced by each forgiving period. */
  decayFrom = 0;
}

/**
 * Passive outlier ejection in the manner of Envoy: a member that fails `consecutiveFailures`
 * requests in a row (what counts as a failure is the caller's call: 5xx, connect errors,
 * timeouts) is taken out of rotation by setting `member.ejectedUntil`. The n-th ejection in a
 * row lasts `n * baseEjectionMs`, capped by `maxEjectionMs`; each `decayIntervalMs` spent back
 * in rotation forgives one. A success resets the run of failures. Balancers need no signal to
 * take the member back: `Member.isAvailable` compares `ejectedUntil` with the clock.
 *
 * The percent cap counts every member out of rotation, whether ejected here or failed by the
 * active health check, since both remove capacity. An ejection is allowed while that count
 * stays within `max(1, floor(size * maxEjectedPercent / 100))`, and never in a pool of one:
 *
 * | pool size | at 50% | at 10% | note |
 * |---|---|---|---|
 * | 1 | 0 | 0 | ejecting the only member turns every request into a 503; keep trying it |
 * | 2 | 1 | 1 | one always stays in rotation |
 * | 3 | 1 | 1 | |
 * | 4 | 2 | 1 | |
 *
 * (Envoy ejects at least one host whatever the percent, even its only one; a lone member is
 * left to the active health check, which sees it recover without client traffic.)
 *
 * Pure logic on explicit `now` values (epoch ms, the clock of `Member.ejectedUntil`). Failures
 * recorded while a member is ejected (requests that were in flight) are ignored.
 */
export class OutlierDetector {
  readonly #members: readonly Member[];
  readonly #states: Map<Member, OutlierState>;
  readonly #threshold: number;
  readonly #baseEjectionMs: number;
  readonly #maxEjectionMs: number;
  readonly #maxOut: number;
  readonly #decayIntervalMs: number;
  readonly #onEject: OutlierDetectorOptions['onEject'];
  readonly #onReadmit: OutlierDetectorOptions['onReadmit'];
  readonly #onEjectSkipped: OutlierDetectorOptions['onEjectSkipped'];

  constructor(members: readonly Member[], options: OutlierDetectorOptions = {}) {
    this.#members = members.slice();
    this.#states = new Map(members.map((member) => [member, new OutlierState()]));
    this.#threshold = positive('consecutiveFailures', options.consecutiveFailures ?? 5);
    this.#baseEjectionMs = positive('baseEjectionMs', options.baseEjectionMs ?? 30_000);
    this.#maxEjectionMs = Math.max(this.#baseEjectionMs, positive('maxEjectionMs', options.maxEjectionMs ?? 300_000));
    const percent = options.maxEjectedPercent ?? 50;
    if (!(percent >= 0 && percent <= 100)) throw new RangeError(`outlier detection: maxEjectedPercent must be within 0..100, got ${percent}`);
    this.#maxOut = members.length < 2 ? 0 : Math.max(1, Math.floor((members.length * percent) / 100));
    this.#decayIntervalMs = positive('decayIntervalMs', options.decayIntervalMs ?? 10_000);
    this.#onEject = options.onEject;
    this.#onReadmit = options.onReadmit;
    this.#onEjectSkipped = options.onEjectSkipped;
  }

  /**
   * A request to `member` succeeded. `now` is only read for a member that was ejected (to
   * report its readmission); it defaults to `Date.now()`, so the common path reads no clock.
   */
  recordSuccess(member: Member, now?: number): void {
    const state = this.#states.get(member);
    if (state === undefined) return;
    state.consecutiveFailures = 0;
    if (state.ejected) {
      const at = now ?? Date.now();
      if (member.ejectedUntil <= at) this.#readmit(member, state);
    }
  }

  /** A request to `member` failed at `now`; may eject it. */
  recordFailure(member: Member, now: number): void {
    const state = this.#states.get(member);
    if (state === undefined) return;
    if (state.ejected) {
      if (member.ejectedUntil > now) return;
      this.#readmit(member, state);
    }
    const failures = ++state.consecutiveFailures;
    if (failures < this.#threshold) return;
    if (!this.#mayEject(member, now)) {
      // Keep counting: the next failure ejects once the cap allows; report the first refusal only.
      if (failures === this.#threshold) this.#onEjectSkipped?.(member);
      return;
    }
    this.#decay(state, now);
    const times = ++state.timesEjected;
    const until = now + Math.min(this.#baseEjectionMs * times, this.#maxEjectionMs);
    state.ejected = true;
    state.consecutiveFailures = 0;
    member.ejectedUntil = until;
    this.#onEject?.(member, until, times);
  }

  /**
   * Reports the readmission of members whose ejection ended by `now`. Optional for traffic
   * (balancers read `ejectedUntil` directly); call it every second or so for timely
   * `onReadmit` events, which otherwise come with the member's next recorded request.
   */
  tick(now: number): void {
    for (const member of this.#members) {
      const state = this.#states.get(member)!;
      if (state.ejected && member.ejectedUntil <= now) this.#readmit(member, state);
    }
  }

  /** Ejections of `member` not yet forgiven at `now` (the multiplier of its next ejection). */
  timesEjected(member: Member, now: number): number {
    const state = this.#states.get(member);
    if (state === undefined) return 0;
    if (state.ejected && member.ejectedUntil > now) return state.timesEjected;
    // An ejection that ended unnoticed counts as readmitted at its end, as #readmit would record.
    const from = state.ejected ? member.ejectedUntil : state.decayFrom;
    return Math.max(0, state.timesEjected - Math.max(0, Math.floor((now - from) / this.#decayIntervalMs)));
  }

  #readmit(member: Member, state: OutlierState): void {
    state.ejected = false;
    state.consecutiveFailures = 0;
    // Forgiveness runs from the end of the ejection, not from when we noticed it.
    state.decayFrom = member.ejectedUntil;
    member.ejectedUntil = 0;
    this.#onReadmit?.(member);
  }

  /** Forgives one ejection per full `decayIntervalMs` in rotation since `decayFrom`. */
  #decay(state: OutlierState, now: number): void {
    if (state.timesEjected === 0) return;
    const periods = Math.floor((now - state.decayFrom) / this.#decayIntervalMs);
    if (periods <= 0) return;
    state.timesEjected = Math.max(0, state.timesEjected - periods);
    state.decayFrom += periods * this.#decayIntervalMs;
  }

  /** Whether taking `candidate` out keeps the pool within the percent cap. Runs only at the threshold. */
  #mayEject(candidate: Member, now: number): boolean {
    let out = 1;
    for (const member of this.#members) {
      if (member !== candidate && (!member.healthy || member.ejectedUntil > now)) out++;
    }
    return out <= this.#maxOut;
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`outlier detection: ${name} must be a positive number, got ${value}`);
  return value;
}
