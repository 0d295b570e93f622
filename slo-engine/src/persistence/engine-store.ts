import type { DeliveryChannel, SloNotification } from '../notify/notification.ts';
import type { SloState, SloStatus } from '../state/state-machine.ts';

/** The state the engine keeps for one SLO between ticks and across restarts. */
export interface PersistedSlo {
  readonly name: string;
  /** Hash of the SLO's definition when the state was written (a changed SLO starts afresh). */
  readonly fingerprint: string;
  readonly state: SloState;
  /** The burn-rate tier firing (null when none) and since when. */
  readonly burnAlert: { readonly tier: string | null; readonly since: number | null };
  readonly evaluatedAt: number;
}

/** A state change or a burn-rate alert change, for the history API and Kibana. */
export interface TransitionRecord {
  /** Same as the notification id when one was made (stable, see SloNotification.id). */
  readonly id: string;
  readonly slo: string;
  readonly kind: 'state' | 'burn-rate';
  /** Statuses for `state`; tier names (or "none") for `burn-rate`. */
  readonly from: SloStatus | string;
  readonly to: SloStatus | string;
  readonly level: number | null;
  readonly at: number;
}

/** One notification to one target, with its delivery bookkeeping. */
export interface Delivery {
  /** Stable delivery id: hash of the notification id and the target. */
  readonly id: string;
  readonly notification: SloNotification;
  readonly channel: DeliveryChannel;
  /** Webhook name or e-mail address. */
  readonly target: string;
  readonly status: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

/** The result of an attempt, as written back. */
export interface AttemptRecord {
  readonly status: Delivery['status'];
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
}

/**
 * Where the engine keeps what must survive a restart and be shared by replicas: SLO states
 * (with hold timers), transitions, the delivery outbox and the leader lease. Implemented over
 * the SQLite state file and over Elasticsearch indices; the same contract tests run on both.
 *
 * Exactly-once: only the lease holder evaluates and commits; deliveries are created with
 * their stable ids (a second create of the same id is a no-op), and a delivery is sent only by
 * the replica whose `claimDelivery` succeeded.
 */
export interface EngineStore {
  /** Takes or renews the lease for `holder` until `now + ttlMs`; true when `holder` holds it. */
  acquireLease(holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (shutdown), if `holder` holds it. */
  releaseLease(holder: string): Promise<void>;
  /** Who holds the lease at `now`, if anyone. */
  leaseHolder(now: number): Promise<{ readonly holder: string; readonly expiresAt: number } | undefined>;
  /** Every persisted SLO state. */
  loadStates(): Promise<PersistedSlo[]>;
  /**
   * Writes one SLO's state with its new transitions and deliveries (deliveries and transitions
   * whose id exists already are left as they are). Throws `EngineError('SLO_LEASE_LOST')`,
   * writing nothing, when `holder` does not hold the lease.
   */
  commit(holder: string, now: number, update: { readonly state: PersistedSlo; readonly transitions: readonly TransitionRecord[]; readonly deliveries: readonly Delivery[] }): Promise<void>;
  /** Forgets the state of SLOs no longer in the spec. */
  removeStates(names: readonly string[]): Promise<void>;
  /** Transitions, newest first. */
  transitions(query: { readonly slo?: string; readonly limit: number }): Promise<TransitionRecord[]>;
  /**
   * Pending deliveries with `nextAttemptAt <= now`, oldest (`createdAt`, then `id`) first.
   * Claimed ones are included: `claimDelivery` decides who sends.
   */
  dueDeliveries(now: number, limit: number): Promise<Delivery[]>;
  /** Claims a due delivery for `holder` until `until`; false when another replica has it or it is no longer pending. */
  claimDelivery(id: string, holder: string, now: number, until: number): Promise<boolean>;
  /**
   * Writes the result of an attempt and releases the claim. Only a pending delivery changes
   * (delivered and dead are final); with `holder`, only while the claim is still `holder`'s
   * (a replica whose claim expired and was taken over cannot overwrite the new claimant's result).
   */
  finishAttempt(id: string, record: AttemptRecord, holder?: string): Promise<void>;
  /** Deliveries, newest first, optionally of one status (e.g. "dead" for the dead letters). */
  deliveries(query: { readonly status?: Delivery['status']; readonly limit: number }): Promise<Delivery[]>;
  close(): Promise<void>;
}
