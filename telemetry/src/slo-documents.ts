import type { FieldSpec } from './fields.ts';
import { mappingsFromFields, type RequestEventMappings, type TemplateVariant } from './index-template.ts';

/**
 * The documents the slo-engine writes to Elasticsearch for Kibana and Grafana: one status
 * document per SLO per evaluation (a time series of level, state and budget) and one transition
 * document per state or burn-rate change. Field names follow ECS where ECS has one
 * (`@timestamp`, `event.*`, `service.target.name`, `url.domain`, `observer.name`); the SLO's own
 * fields live under `slo.*`.
 */

/** Index (alias) of the status time series. */
export const SLO_STATUS_INDEX = 'lookout-slo-status';
/** Index of the transitions. */
export const SLO_TRANSITIONS_INDEX = 'lookout-slo-transitions';
export const SLO_STATUS_DATASET = 'lookout.slo_status';
export const SLO_TRANSITION_DATASET = 'lookout.slo_transition';

/** What an SLO shows. NODATA: no traffic in the window (never shown as green). */
export type SloStatusValue = 'GREEN' | 'ORANGE' | 'RED' | 'NODATA';

/** One evaluation of one SLO. */
export interface SloStatusDocument {
  readonly '@timestamp': string;
  readonly event: { readonly id: string; readonly dataset: typeof SLO_STATUS_DATASET };
  readonly observer: { readonly name: string };
  readonly service?: { readonly target: { readonly name: string } };
  readonly url?: { readonly domain: string };
  readonly slo: {
    readonly name: string;
    readonly kind: 'budget' | 'threshold';
    /** availability, latency or the threshold metric (p50, p95, p99, error-rate). */
    readonly indicator: string;
    readonly objective?: number;
    readonly window: string;
    readonly status: SloStatusValue;
    /** When the status was entered (ISO 8601). */
    readonly status_since: string;
    /** Level, 1 = 100 %; absent in NODATA. */
    readonly level?: number;
    /** Budget SLOs: 1 - level. */
    readonly budget_remaining?: number;
    /** The SLI: good / total for budget SLOs, the metric (ms or ratio) for threshold SLOs. */
    readonly sli?: number;
    readonly good?: number;
    readonly total: number;
    /** Burn rate over the shortest alert window (budget SLOs). */
    readonly burn_rate?: number;
    /** Firing burn-rate tier, or "none". */
    readonly alert_tier: string;
  };
}

/** A change of state or of burn-rate tier. */
export interface SloTransitionDocument {
  readonly '@timestamp': string;
  readonly event: { readonly id: string; readonly dataset: typeof SLO_TRANSITION_DATASET };
  readonly observer: { readonly name: string };
  readonly service?: { readonly target: { readonly name: string } };
  readonly url?: { readonly domain: string };
  readonly slo: {
    readonly name: string;
    readonly transition: { readonly kind: 'state' | 'burn-rate'; readonly from: string; readonly to: string };
    readonly level?: number;
  };
}

const COMMON_FIELDS = {
  '@timestamp': { type: 'date', ecs: true, description: 'When the engine evaluated (status) or the change happened (transition).' },
  'event.id': { type: 'keyword', ecs: true, description: 'Document id: SLO name and tick (status), stable transition id (transition).' },
  'event.dataset': { type: 'keyword', ecs: true, description: 'lookout.slo_status or lookout.slo_transition.' },
  'observer.name': { type: 'keyword', ecs: true, description: 'The engine instance that wrote the document.' },
  'service.target.name': { type: 'keyword', ecs: true, description: 'Upstream service the SLO is about, when it names one.' },
  'url.domain': { type: 'keyword', ecs: true, description: 'Host the SLO is about, when it names one.' },
  'slo.name': { type: 'keyword', ecs: false, description: 'SLO name from the spec.' },
  'slo.level': { type: 'double', ecs: false, description: 'Level, 1 = 100 % (budget consumed, or SLI / limit).' },
} as const satisfies Record<string, FieldSpec>;

/** Fields of {@link SloStatusDocument}. */
export const SLO_STATUS_FIELDS = {
  ...COMMON_FIELDS,
  'slo.kind': { type: 'keyword', ecs: false, description: 'budget or threshold.' },
  'slo.indicator': { type: 'keyword', ecs: false, description: 'availability, latency, p50, p95, p99 or error-rate.' },
  'slo.objective': { type: 'double', ecs: false, description: 'Share of good events (budget SLOs).' },
  'slo.window': { type: 'keyword', ecs: false, description: 'Rolling window as written in the spec.' },
  'slo.status': { type: 'keyword', ecs: false, description: 'GREEN, ORANGE, RED or NODATA.' },
  'slo.status_since': { type: 'date', ecs: false, description: 'When the status was entered.' },
  'slo.budget_remaining': { type: 'double', ecs: false, description: 'Error budget left, 1 - level (budget SLOs).' },
  'slo.sli': { type: 'double', ecs: false, description: 'good / total, or the threshold metric (ms or ratio).' },
  'slo.good': { type: 'long', ecs: false, description: 'Good events in the window (budget SLOs).' },
  'slo.total': { type: 'long', ecs: false, description: 'Events in the window.' },
  'slo.burn_rate': { type: 'double', ecs: false, description: 'Burn rate over the shortest alert window.' },
  'slo.alert_tier': { type: 'keyword', ecs: false, description: 'Firing burn-rate tier, or none.' },
} as const satisfies Record<string, FieldSpec>;

/** Fields of {@link SloTransitionDocument}. */
export const SLO_TRANSITION_FIELDS = {
  ...COMMON_FIELDS,
  'slo.transition.kind': { type: 'keyword', ecs: false, description: 'state or burn-rate.' },
  'slo.transition.from': { type: 'keyword', ecs: false, description: 'Status (or tier) left.' },
  'slo.transition.to': { type: 'keyword', ecs: false, description: 'Status (or tier) entered.' },
} as const satisfies Record<string, FieldSpec>;

/** Mappings of the status index (both template variants use only core types). */
export function sloStatusMappings(variant: TemplateVariant = 'portable'): RequestEventMappings {
  return mappingsFromFields(SLO_STATUS_FIELDS, variant);
}

/** Mappings of the transitions index. */
export function sloTransitionMappings(variant: TemplateVariant = 'portable'): RequestEventMappings {
  return mappingsFromFields(SLO_TRANSITION_FIELDS, variant);
}
