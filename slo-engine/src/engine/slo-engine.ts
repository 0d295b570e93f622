import type { Logger } from '@lookout/log';
import { EngineError } from '../engine-error.ts';
import type { EventSource } from '../events/event-source.ts';
import type { Slo } from '../model/slo.ts';
import type { SloNotification } from '../notify/notification.ts';
import type { Delivery, EngineStore, PersistedSlo, TransitionRecord } from '../persistence/engine-store.ts';
import { evaluateSlo, type CountBudgetWindows, type SloEvaluation } from './evaluate-slo.ts';
import { decideSloStep, type NotificationLinks } from './slo-step.ts';
import { sloView, type SloView } from './slo-view.ts';

/** Turns a notification into one delivery per recipient (owners resolved to webhooks and e-mail). */
export type PlanDeliveries = (slo: Slo, notification: SloNotification, now: number) => readonly Delivery[];

/** Receives what each tick produced, e.g. to write status and transition documents to Elasticsearch. */
export interface TickPublisher {
  publish(at: number, views: readonly SloView[], transitions: readonly TransitionRecord[]): Promise<void>;
}

export interface SloEngineOptions {
  readonly slos: readonly Slo[];
  readonly source: EventSource;
  readonly countBudget: CountBudgetWindows;
  readonly store: EngineStore;
  /** This replica's name in the lease. */
  readonly instance: string;
  readonly leaseTtlMs: number;
  readonly links: NotificationLinks;
  readonly planDeliveries: PlanDeliveries;
  readonly publisher?: TickPublisher;
  readonly log: Logger;
  /** SLOs evaluated at once (store queries in flight). Default 4. */
  readonly concurrency?: number;
}

/** What one tick did. */
export interface TickReport {
  readonly at: number;
  readonly leader: boolean;
  readonly evaluated: number;
  readonly failed: number;
  readonly transitions: number;
  readonly notifications: number;
  readonly durationMs: number;
}

/** Counters since start, for /metrics. */
export interface EngineCounters {
  ticks: number;
  evaluations: number;
  evaluationFailures: number;
  transitions: number;
  notifications: number;
  lastTickDurationMs: number;
  lastTickAt: number;
}

/**
 * The evaluation loop's body. Each tick: take or renew the lease; if held, evaluate every SLO
 * (a failing SLO is logged and keeps its previous state, the others go on), step its state
 * machine, and commit state, transitions and deliveries together (fenced by the lease). A
 * replica without the lease evaluates nothing and shows the persisted states.
 */
export class SloEngine {
  readonly counters: EngineCounters = { ticks: 0, evaluations: 0, evaluationFailures: 0, transitions: 0, notifications: 0, lastTickDurationMs: 0, lastTickAt: 0 };
  #slos: readonly Slo[];
  readonly #options: SloEngineOptions;
  readonly #views = new Map<string, SloView>();
  #leader = false;

  constructor(options: SloEngineOptions) {
    this.#options = options;
    this.#slos = options.slos;
  }

  /** Whether this replica held the lease at its last tick. */
  get leader(): boolean {
    return this.#leader;
  }

  get slos(): readonly Slo[] {
    return this.#slos;
  }

  /** Replaces the SLOs (spec reloaded); states of removed SLOs are forgotten at the next tick. */
  setSlos(slos: readonly Slo[]): void {
    this.#slos = slos;
    for (const name of this.#views.keys()) if (!slos.some((slo) => slo.name === name)) this.#views.delete(name);
  }

  /** The latest view of every SLO, in spec order. */
  views(): SloView[] {
    return this.#slos.map((slo) => this.#views.get(slo.name) ?? sloView(slo, undefined, undefined, null));
  }

  view(name: string): SloView | undefined {
    const slo = this.#slos.find((candidate) => candidate.name === name);
    return slo && (this.#views.get(name) ?? sloView(slo, undefined, undefined, null));
  }

  async tick(now: number): Promise<TickReport> {
    const started = performance.now();
    const { store, instance, log } = this.#options;
    this.counters.ticks++;
    const wasLeader = this.#leader;
    this.#leader = await store.acquireLease(instance, now, this.#options.leaseTtlMs);
    if (this.#leader !== wasLeader) log.info({ instance, leader: this.#leader }, this.#leader ? 'slo-engine: took the lease, evaluating' : 'slo-engine: another replica holds the lease, standing by');

    const persisted = new Map((await store.loadStates()).map((state) => [state.name, state]));
    if (!this.#leader) {
      for (const slo of this.#slos) this.#views.set(slo.name, sloView(slo, persisted.get(slo.name), undefined, null));
      return this.#report(now, started, { evaluated: 0, failed: 0, transitions: 0, notifications: 0 });
    }

    const gone = [...persisted.keys()].filter((name) => !this.#slos.some((slo) => slo.name === name));
    if (gone.length > 0) await store.removeStates(gone);

    const totals = { evaluated: 0, failed: 0, transitions: 0, notifications: 0 };
    const allTransitions: TransitionRecord[] = [];
    await forEachLimited(this.#slos, this.#options.concurrency ?? 4, async (slo) => {
      const previous = persisted.get(slo.name);
      let evaluation: SloEvaluation;
      try {
        evaluation = await evaluateSlo(slo, now, this.#options.source, this.#options.countBudget);
      } catch (error) {
        totals.failed++;
        this.#fail(slo, previous, error, 'SLO_EVALUATION_FAILED');
        return;
      }
      const step = decideSloStep(slo, previous, evaluation, this.#options.links);
      const deliveries = step.notifications.flatMap((notification) => this.#options.planDeliveries(slo, notification, now));
      try {
        await store.commit(instance, now, { state: step.persisted, transitions: step.transitions, deliveries });
      } catch (error) {
        totals.failed++;
        this.#fail(slo, previous, error, 'SLO_STATE_STORE_FAILED');
        return;
      }
      totals.evaluated++;
      totals.transitions += step.transitions.length;
      totals.notifications += step.notifications.length;
      allTransitions.push(...step.transitions);
      for (const transition of step.transitions) {
        log.info({ slo: slo.name, kind: transition.kind, from: transition.from, to: transition.to, level: transition.level }, `slo-engine: ${slo.name} ${transition.kind} ${transition.from} -> ${transition.to}`);
      }
      this.#views.set(slo.name, sloView(slo, step.persisted, evaluation, null));
    });

    if (this.#options.publisher) {
      try {
        await this.#options.publisher.publish(now, this.views(), allTransitions);
      } catch (error) {
        log.warn({ code: (error as EngineError).code ?? 'SLO_STORE_QUERY_FAILED', err: error as Error }, `slo-engine: publishing status documents failed: ${(error as Error).message}`);
      }
    }
    return this.#report(now, started, totals);
  }

  /** Gives the lease up (shutdown), so a standby takes over at its next tick. */
  async release(): Promise<void> {
    if (this.#leader) await this.#options.store.releaseLease(this.#options.instance);
    this.#leader = false;
  }

  #fail(slo: Slo, previous: PersistedSlo | undefined, error: unknown, fallback: 'SLO_EVALUATION_FAILED' | 'SLO_STATE_STORE_FAILED'): void {
    const code = error instanceof EngineError ? error.code : fallback;
    const message = (error as Error).message ?? String(error);
    this.counters.evaluationFailures++;
    this.#options.log.error({ code, slo: slo.name, err: error as Error }, `slo-engine: ${slo.name} not evaluated this tick: ${message}`);
    this.#views.set(slo.name, sloView(slo, previous, undefined, { code, message }));
  }

  #report(at: number, started: number, totals: Omit<TickReport, 'at' | 'leader' | 'durationMs'>): TickReport {
    const durationMs = performance.now() - started;
    this.counters.evaluations += totals.evaluated;
    this.counters.transitions += totals.transitions;
    this.counters.notifications += totals.notifications;
    this.counters.lastTickDurationMs = durationMs;
    this.counters.lastTickAt = at;
    return { at, leader: this.#leader, ...totals, durationMs };
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}
