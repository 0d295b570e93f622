import type { Slo } from '../model/slo.ts';
import type { NotifiedSlo } from '../notify/notification.ts';
import type { PersistedSlo } from '../persistence/engine-store.ts';
import type { SloStatus } from '../state/state-machine.ts';
import type { SloEvaluation, WindowBurnRate } from './evaluate-slo.ts';
import { describeSlo } from './slo-step.ts';

/** What the API, the metrics and the live page show of one SLO. */
export interface SloView {
  readonly slo: NotifiedSlo;
  readonly status: SloStatus;
  /** When the status was entered (epoch ms). */
  readonly since: number;
  readonly level: number | null;
  readonly sli: number | null;
  readonly good: number | null;
  readonly total: number;
  readonly budgetRemaining: number | null;
  readonly currentBurnRate: number | null;
  readonly burnRates: readonly WindowBurnRate[];
  readonly timeToExhaustionSeconds: number | null;
  /** The firing burn-rate tier, or null. */
  readonly alertTier: string | null;
  /** Pending holds (epoch ms starts), so an operator sees what is about to change. */
  readonly holds: { readonly aboveOrangeSince: number | null; readonly aboveRedSince: number | null; readonly belowGreenSince: number | null };
  readonly evaluatedAt: number | null;
  /** The last evaluation's failure, if it failed (the previous state is kept). */
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** The view of an SLO from its persisted state and, when this replica evaluated it, the evaluation. */
export function sloView(slo: Slo, persisted: PersistedSlo | undefined, evaluation: SloEvaluation | undefined, error: SloView['error']): SloView {
  const state = persisted?.state;
  return {
    slo: describeSlo(slo),
    status: state?.status ?? 'NODATA',
    since: state?.since ?? 0,
    level: state?.level ?? null,
    sli: evaluation?.sli ?? null,
    good: evaluation?.good ?? null,
    total: evaluation?.total ?? 0,
    budgetRemaining: evaluation?.budgetRemaining ?? (slo.kind === 'budget' && state?.level != null ? 1 - state.level : null),
    currentBurnRate: evaluation?.currentBurnRate ?? null,
    burnRates: evaluation?.burnRates ?? [],
    timeToExhaustionSeconds: evaluation?.timeToExhaustionSeconds ?? null,
    alertTier: persisted?.burnAlert.tier ?? null,
    holds: {
      aboveOrangeSince: state?.aboveOrangeSince ?? null,
      aboveRedSince: state?.aboveRedSince ?? null,
      belowGreenSince: state?.belowGreenSince ?? null,
    },
    evaluatedAt: persisted?.evaluatedAt ?? null,
    error,
  };
}
