import {
  REQUEST_EVENTS_FIRST_INDEX,
  REQUEST_EVENTS_ILM_POLICY,
  REQUEST_EVENTS_PATTERN,
  REQUEST_EVENTS_PORTABLE_PATTERN,
  REQUEST_EVENTS_TARGET,
  REQUEST_EVENTS_TEMPLATE,
  SLO_STATUS_INDEX,
  SLO_TRANSITIONS_INDEX,
} from '../../../telemetry/src/index.ts';

const DEFAULT_PREFIX = 'lookout';

/** Every name the setup creates or reads, derived from the telemetry contract's names. */
export interface IndexNames {
  readonly prefix: string;
  /** Write target of request events: data stream (production) or write alias (portable). */
  readonly requestsTarget: string;
  readonly requestsTemplate: string;
  readonly requestsPolicy: string;
  readonly requestsProductionPattern: string;
  readonly requestsPortablePattern: string;
  readonly requestsFirstIndex: string;
  /** Write alias of the SLO status time series, over `<alias>-NNNNNN` indices. */
  readonly sloStatusAlias: string;
  readonly sloStatusTemplate: string;
  readonly sloStatusPolicy: string;
  readonly sloStatusPattern: string;
  readonly sloStatusFirstIndex: string;
  /** Concrete index of SLO transitions (a few documents a day). */
  readonly sloTransitionsIndex: string;
  readonly sloTransitionsTemplate: string;
  /** Prefix of the slo-engine's own state indices, which the engine creates itself. */
  readonly sloEngineStatePrefix: string;
}

/**
 * The names for `prefix` (default `lookout`): the contract's names with their leading
 * `lookout` replaced, so that a second installation (or a test) can live in the same cluster.
 */
export function indexNames(prefix: string = DEFAULT_PREFIX): IndexNames {
  const named = (contractName: string) => `${prefix}${contractName.slice(DEFAULT_PREFIX.length)}`;
  const sloStatusAlias = named(SLO_STATUS_INDEX);
  return {
    prefix,
    requestsTarget: named(REQUEST_EVENTS_TARGET),
    requestsTemplate: named(REQUEST_EVENTS_TEMPLATE),
    requestsPolicy: named(REQUEST_EVENTS_ILM_POLICY),
    requestsProductionPattern: named(REQUEST_EVENTS_PATTERN),
    requestsPortablePattern: named(REQUEST_EVENTS_PORTABLE_PATTERN),
    requestsFirstIndex: named(REQUEST_EVENTS_FIRST_INDEX),
    sloStatusAlias,
    sloStatusTemplate: sloStatusAlias,
    sloStatusPolicy: sloStatusAlias,
    sloStatusPattern: `${sloStatusAlias}-*`,
    sloStatusFirstIndex: `${sloStatusAlias}-000001`,
    sloTransitionsIndex: named(SLO_TRANSITIONS_INDEX),
    sloTransitionsTemplate: named(SLO_TRANSITIONS_INDEX),
    sloEngineStatePrefix: `${prefix}-slo-engine-`,
  };
}

/** Elasticsearch index name rules that a prefix must keep (lower case, no leading `-_+`, no special characters). */
export const INDEX_PREFIX_PATTERN = /^[a-z0-9][a-z0-9._-]{0,100}$/;
