import type { Logger } from '@lookout/log';
import type { EventSource } from '../events/event-source.ts';
import type { SloEngine } from './slo-engine.ts';
import { findUnknownTargets, type UnknownTarget } from './unknown-targets.ts';

const CHECK_INTERVAL_MS = 10 * 60_000;
/** While some SLO names an unknown target, checks come sooner, so the warning clears soon after traffic starts. */
const RECHECK_INTERVAL_MS = 60_000;
const LOOK_BACK_MS = 24 * 60 * 60_000;

/** The current unknown targets, refreshed in the background. */
export interface UnknownTargetsWatch {
  current(): readonly UnknownTarget[];
  start(): void;
  stop(): void;
}

/**
 * At start and then every 10 minutes (every minute while a warning stands), looks up which
 * services and hosts the events of the last 24 h carry and warns (SLO_UNKNOWN_SERVICE) once per
 * SLO naming one that none carries. The SLO is still evaluated (it shows NODATA) and its
 * warning clears when traffic appears.
 */
export function watchUnknownTargets(engine: SloEngine, source: EventSource, log: Logger, now: () => number = Date.now): UnknownTargetsWatch {
  let current: readonly UnknownTarget[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const warned = new Set<string>();
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void check(), current.length > 0 ? RECHECK_INTERVAL_MS : CHECK_INTERVAL_MS);
    timer.unref();
  };
  const check = async (): Promise<void> => {
    try {
      const at = now();
      current = findUnknownTargets(engine.slos, await source.targets({ from: at - LOOK_BACK_MS, to: at + 1 }));
    } catch {
      // The evaluation loop reports store failures.
    }
    schedule();
    for (const unknown of current) {
      const key = `${unknown.slo}\n${unknown.field}\n${unknown.value}`;
      if (warned.has(key)) continue;
      warned.add(key);
      log.warn({ code: 'SLO_UNKNOWN_SERVICE', ...unknown }, `slo-engine: SLO ${unknown.slo} names ${unknown.field} "${unknown.value}", which no event of the last 24 h carries (a typo, or no traffic yet); it shows NODATA`);
    }
  };
  return {
    current: () => current,
    start() {
      void check();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
