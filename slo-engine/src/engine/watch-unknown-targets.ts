import type { Logger } from '@lookout/log';
import type { EventSource } from '../events/event-source.ts';
import type { SloEngine } from './slo-engine.ts';
import { findUnknownTargets, type UnknownTarget } from './unknown-targets.ts';

const CHECK_INTERVAL_MS = 10 * 60_000;
const LOOK_BACK_MS = 24 * 60 * 60_000;

/** The current unknown targets, refreshed in the background. */
export interface UnknownTargetsWatch {
  current(): readonly UnknownTarget[];
  start(): void;
  stop(): void;
}

/**
 * Every 10 minutes (and at start), looks up which services and hosts the events of the last 24 h
 * carry and warns (SLO_UNKNOWN_SERVICE) once per SLO naming one that none carries. The SLO is
 * still evaluated (it shows NODATA) and its warning clears when traffic appears.
 */
export function watchUnknownTargets(engine: SloEngine, source: EventSource, log: Logger, now: () => number = Date.now): UnknownTargetsWatch {
  let current: readonly UnknownTarget[] = [];
  let timer: NodeJS.Timeout | undefined;
  const warned = new Set<string>();
  const check = async (): Promise<void> => {
    try {
      const at = now();
      current = findUnknownTargets(engine.slos, await source.targets({ from: at - LOOK_BACK_MS, to: at + 1 }));
    } catch {
      return; // the evaluation loop reports store failures
    }
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
      timer = setInterval(() => void check(), CHECK_INTERVAL_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
