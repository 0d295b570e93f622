import type { SteadyLoad } from '../load/steady-load.ts';
import type { FaultStack } from '../stack/fault-stack.ts';
import type { OwnElasticsearch } from '../stack/own-elasticsearch.ts';

/** What a scenario's fault phase reports back to the runner. */
export interface FaultOutcome {
  /**
   * Seconds from the fault until the system was whole again, by the scenario's own measure
   * (see {@link Scenario.recoveryMeaning}); undefined: the runner's default (last client error).
   */
  readonly recoveryS?: number;
  /** Client errors inside this window (ms since epoch) are the expected gap, not failures. */
  readonly gap?: { readonly from: number; readonly to: number };
  /** Facts worth a line in the report (measured values, log counts). */
  readonly notes: readonly string[];
}

/** Everything a scenario's fault phase may act on. */
export interface ScenarioContext {
  readonly stack: FaultStack;
  readonly load: SteadyLoad;
  readonly elasticsearch: OwnElasticsearch;
  /** The SLO the engine evaluates for this scenario. */
  readonly sloName: string;
  /** Time left for the fault phase (the run's duration minus the warm-up), ms. */
  readonly faultPhaseMs: number;
  log(message: string): void;
}

/** One row of the fault matrix. */
export interface Scenario {
  /** Short name for `--only` and file names, e.g. `upstream-killed`. */
  readonly name: string;
  /** What happens, for the table. */
  readonly title: string;
  /** Flags of each echo member (the count of members is the length). */
  readonly members: readonly (readonly string[])[];
  /** Members behind a fault relay (by index), whose fault the scenario switches live. */
  readonly relayed?: readonly number[];
  /** Merged over the proxy's service config. */
  readonly serviceOverrides?: Record<string, unknown>;
  /** The scenario's SLO (name and service are filled in). */
  readonly slo: Record<string, unknown>;
  /** State transitions the webhook receiver must get, in order, e.g. `['GREEN->ORANGE']`. */
  readonly expectedNotifications: readonly string[];
  /** Share of requests that ask the upstream for a 503 from the start (to provoke the SLO). */
  readonly injectedErrorShare?: number;
  /** What the recovery time measures here. */
  readonly recoveryMeaning: string;
  /** Runs the fault (and the repair) under load; returns once the system should be whole. */
  inject(context: ScenarioContext): Promise<FaultOutcome>;
}

/** An SLO that should stay GREEN: 99% availability over 30 s, 3 s holds. */
export const QUIET_AVAILABILITY_SLO: Record<string, unknown> = {
  indicator: { type: 'availability' },
  objective: 0.99,
  window: '30s',
  hold: '3s',
  owners: { sli: ['oncall'], slo: ['oncall'] },
};

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Polls `probe` every 200 ms until it returns a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`HARDENING_TIMEOUT: ${what} not seen within ${timeoutMs} ms`);
}
