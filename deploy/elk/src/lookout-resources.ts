import {
  ilmPolicyBody,
  portableTemplate,
  productionTemplate,
  sloStatusMappings,
  sloTransitionMappings,
  type IndexTemplate,
  type RequestEventMappings,
  type RolloverConditions,
  type TemplateVariant,
} from '../../../telemetry/src/index.ts';
import type { IndexNames } from './index-names.ts';

/** Rollover of the SLO status series: monthly, or at 10 GB per primary shard. */
export const SLO_STATUS_ROLLOVER: RolloverConditions = { max_age: '30d', max_primary_shard_size: '10gb' };

/** Status documents are kept 400 days: a year of SLO history plus a month to compare against. */
export const SLO_STATUS_RETENTION = '400d';

/** What to install, for one cluster. */
export interface ResourceOptions {
  readonly names: IndexNames;
  readonly variant: TemplateVariant;
  readonly replicas: number;
}

/** The request events template: the telemetry package's variant, with the installation's names. */
export function requestEventsTemplate({ names, variant, replicas }: ResourceOptions): IndexTemplate {
  return variant === 'production'
    ? productionTemplate({ indexPattern: names.requestsProductionPattern, ilmPolicy: names.requestsPolicy, replicas })
    : portableTemplate({ indexPattern: names.requestsPortablePattern, replicas });
}

/** ILM policy of the request events (production variant). */
export function requestEventsPolicy() {
  return ilmPolicyBody();
}

/** ILM policy of the SLO status series (production variant). */
export function sloStatusPolicy() {
  return ilmPolicyBody({ rollover: SLO_STATUS_ROLLOVER, retention: SLO_STATUS_RETENTION });
}

/**
 * Template of the SLO status indices `<alias>-NNNNNN` behind the write alias. Only core
 * types, so both variants share the mappings; production adds the ILM policy that rolls them.
 */
export function sloStatusTemplate({ names, variant, replicas }: ResourceOptions) {
  const lifecycle = variant === 'production' ? { lifecycle: { name: names.sloStatusPolicy, rollover_alias: names.sloStatusAlias } } : {};
  return sloTemplate(names.sloStatusPattern, 'SLO status series', sloStatusMappings(variant), variant, replicas, lifecycle);
}

/** Template of the SLO transitions index (one concrete index: a few documents per SLO and day). */
export function sloTransitionsTemplate({ names, variant, replicas }: ResourceOptions) {
  return sloTemplate(names.sloTransitionsIndex, 'SLO transitions', sloTransitionMappings(variant), variant, replicas, {});
}

function sloTemplate(
  pattern: string,
  description: string,
  mappings: RequestEventMappings,
  variant: TemplateVariant,
  replicas: number,
  extraSettings: Record<string, unknown>,
) {
  return {
    index_patterns: [pattern],
    priority: 200,
    _meta: { managed_by: 'lookout', description: `lookout ${description} (${variant})`, variant },
    template: {
      settings: { index: { number_of_shards: 1, number_of_replicas: replicas, refresh_interval: '5s', ...extraSettings } },
      mappings,
    },
  };
}
