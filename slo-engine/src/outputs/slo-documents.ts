import { SLO_STATUS_DATASET, SLO_TRANSITION_DATASET, type SloStatusDocument, type SloTransitionDocument } from '@lookout/telemetry';
import type { SloView } from '../engine/slo-view.ts';
import type { TransitionRecord } from '../persistence/engine-store.ts';

/** The status document of one SLO at one tick; its id is the SLO name and the tick. */
export function statusDocument(view: SloView, at: number, observer: string): SloStatusDocument {
  const slo = view.slo;
  const indicator = slo.indicator.split(' ')[0] ?? slo.indicator;
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id: `${slo.name}:${at}`, dataset: SLO_STATUS_DATASET },
    observer: { name: observer },
    ...(slo.service !== undefined && { service: { target: { name: slo.service } } }),
    ...(slo.host !== undefined && { url: { domain: slo.host } }),
    slo: {
      name: slo.name,
      kind: slo.kind,
      indicator,
      ...(slo.objective !== undefined && { objective: slo.objective }),
      window: slo.window,
      status: view.status,
      status_since: new Date(view.since).toISOString(),
      ...(view.level !== null && { level: view.level }),
      ...(view.budgetRemaining !== null && { budget_remaining: view.budgetRemaining }),
      ...(view.sli !== null && { sli: view.sli }),
      ...(view.good !== null && { good: view.good }),
      total: view.total,
      ...(view.currentBurnRate !== null && { burn_rate: view.currentBurnRate }),
      alert_tier: view.alertTier ?? 'none',
    },
  };
}

/** The document of one transition; its id is the transition's stable id. */
export function transitionDocument(transition: TransitionRecord, view: SloView | undefined, observer: string): SloTransitionDocument {
  const slo = view?.slo;
  return {
    '@timestamp': new Date(transition.at).toISOString(),
    event: { id: transition.id, dataset: SLO_TRANSITION_DATASET },
    observer: { name: observer },
    ...(slo?.service !== undefined && { service: { target: { name: slo.service } } }),
    ...(slo?.host !== undefined && { url: { domain: slo.host } }),
    slo: {
      name: transition.slo,
      transition: { kind: transition.kind, from: transition.from, to: transition.to },
      ...(transition.level !== null && { level: transition.level }),
    },
  };
}
