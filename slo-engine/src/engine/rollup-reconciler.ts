import { EngineError } from '../engine-error.ts';
import type { ReconcileReport } from '../rollups/window-counter.ts';
import { formatDuration } from '../spec/duration.ts';

/** Structured logging the reconciler needs (the engine's logger fits). */
export interface ReconcileLogger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** Options of {@link RollupReconciler}. */
export interface RollupReconcilerOptions {
  /** Re-counts the rolled-up minutes of the last `horizonMs` (the engine stores' `reconcileRollups`). */
  readonly reconcile: (horizonMs: number, now: number) => Promise<ReconcileReport>;
  /** Config `reconcile.every`. */
  readonly everyMs: number;
  /** Config `reconcile.horizon`. */
  readonly horizonMs: number;
  /** Whether this replica holds the lease: only the replica that evaluates reconciles. */
  readonly leader: () => boolean;
  readonly log: ReconcileLogger;
  readonly now?: () => number;
}

/** Counters since start, for /metrics. */
export interface ReconcileCounters {
  runs: number;
  /** SLI keys whose reconcile failed (a run that failed as a whole counts one). */
  failures: number;
  minutes: number;
  rewrittenMinutes: number;
  addedEvents: number;
  /** When the last run started (epoch ms), 0 before the first. */
  lastRunAt: number;
}

/**
 * Runs the rollup reconcile every `everyMs` (first one `everyMs` after start) on the replica
 * holding the lease, beside the evaluation loop: the reconcile takes the per-key lock that the
 * counts take, so a tick only waits for the one SLI being re-counted. A run never throws: a
 * failure (store unreachable) is logged with its code and counted, the SLIs that succeeded keep
 * their correction, and the next run tries again. A run that corrected something logs one info
 * line (late events added, minutes rewritten), one that found nothing to correct a debug line.
 */
export class RollupReconciler {
  readonly counters: ReconcileCounters = { runs: 0, failures: 0, minutes: 0, rewrittenMinutes: 0, addedEvents: 0, lastRunAt: 0 };
  readonly #options: RollupReconcilerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;

  constructor(options: RollupReconcilerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops scheduling and waits for a running reconcile to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#running) await this.#running;
  }

  /** One reconcile now, unless this replica does not hold the lease (then undefined). Never throws. */
  async runOnce(): Promise<ReconcileReport | undefined> {
    while (this.#running) await this.#running;
    const run = this.#run();
    this.#running = run;
    try {
      return await run;
    } finally {
      this.#running = undefined;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.runOnce().then(() => this.#schedule()), this.#options.everyMs);
    this.#timer.unref();
  }

  async #run(): Promise<ReconcileReport | undefined> {
    if (!this.#options.leader()) return undefined;
    const { horizonMs, log } = this.#options;
    const horizon = formatDuration(horizonMs);
    const at = this.#now();
    const started = performance.now();
    this.counters.runs++;
    this.counters.lastRunAt = at;
    let report: ReconcileReport;
    try {
      report = await this.#options.reconcile(horizonMs, at);
    } catch (error) {
      this.counters.failures++;
      log.warn({ code: codeOf(error), err: error as Error }, `slo-engine: reconciling the rollups of the last ${horizon} failed, next try in ${formatDuration(this.#options.everyMs)}: ${messageOf(error)}`);
      return undefined;
    }
    const durationMs = Math.round(performance.now() - started);
    this.counters.minutes += report.minutes;
    this.counters.rewrittenMinutes += report.rewrittenMinutes;
    this.counters.addedEvents += Math.max(0, report.addedEvents);
    this.counters.failures += report.failures.length;
    const fields = { keys: report.keys, minutes: report.minutes, rewrittenMinutes: report.rewrittenMinutes, addedEvents: report.addedEvents, durationMs };
    if (report.rewrittenMinutes > 0) {
      log.info(fields, `slo-engine: reconciled the rollups of the last ${horizon}: ${report.addedEvents} late events counted, ${report.rewrittenMinutes} minutes rewritten`);
    } else {
      log.debug(fields, `slo-engine: reconciled the rollups of the last ${horizon}: nothing late`);
    }
    const [first] = report.failures;
    if (first !== undefined) {
      log.warn(
        { code: codeOf(first.error), keys: report.failures.map((failure) => failure.key), err: first.error as Error },
        `slo-engine: reconciling the rollups of ${report.failures.length} SLIs failed, next try in ${formatDuration(this.#options.everyMs)}: ${messageOf(first.error)}`,
      );
    }
    return report;
  }
}

function codeOf(error: unknown): string {
  return error instanceof EngineError ? error.code : 'SLO_STATE_STORE_FAILED';
}

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}
