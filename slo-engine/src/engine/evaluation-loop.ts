import type { Logger } from '@lookout/log';
import { EngineError } from '../engine-error.ts';
import type { SloEngine, TickReport } from './slo-engine.ts';

/**
 * Runs `engine.tick` every `tickMs`, never two at once: the next tick starts `tickMs` after the
 * previous one started, or at once if it ran longer. A tick that throws (store unreachable) is
 * logged with its code and the loop goes on.
 */
export class EvaluationLoop {
  readonly #engine: SloEngine;
  readonly #tickMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #lastError: { code: string; message: string; at: number } | null = null;
  #lastReport: TickReport | null = null;

  readonly #afterTick: ((report: TickReport) => void) | undefined;

  /** `afterTick` runs after each successful tick (e.g. to wake the delivery dispatcher). */
  constructor(engine: SloEngine, tickMs: number, log: Logger, options: { readonly now?: () => number; readonly afterTick?: (report: TickReport) => void } = {}) {
    this.#engine = engine;
    this.#tickMs = tickMs;
    this.#log = log;
    this.#now = options.now ?? Date.now;
    this.#afterTick = options.afterTick;
  }

  /** The failure of the last tick, null when it succeeded. */
  get lastError(): { code: string; message: string; at: number } | null {
    return this.#lastError;
  }

  get lastReport(): TickReport | null {
    return this.#lastReport;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Runs one tick now (also between scheduled ones, e.g. after a reload). */
  async runOnce(): Promise<void> {
    while (this.#running) await this.#running;
    this.#running = this.#tick();
    try {
      await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /** Stops scheduling and waits for a running tick to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#running) await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const started = this.#now();
      void this.runOnce().then(() => this.#schedule(Math.max(0, this.#tickMs - (this.#now() - started))));
    }, delayMs);
  }

  async #tick(): Promise<void> {
    const at = this.#now();
    try {
      this.#lastReport = await this.#engine.tick(at);
      this.#lastError = null;
      this.#afterTick?.(this.#lastReport);
    } catch (error) {
      const code = error instanceof EngineError ? error.code : 'SLO_EVALUATION_FAILED';
      const message = (error as Error).message ?? String(error);
      this.#lastError = { code, message, at };
      this.#log.error({ code, err: error as Error }, `slo-engine: tick failed, next in ${this.#tickMs} ms: ${message}`);
    }
  }
}
