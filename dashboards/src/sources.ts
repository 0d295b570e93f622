import {
  REQUEST_EVENT_FIELDS,
  REQUEST_EVENTS_PATTERN,
  SLO_STATUS_FIELDS,
  SLO_STATUS_INDEX,
  SLO_TRANSITION_FIELDS,
  SLO_TRANSITIONS_INDEX,
  requestEventMappings,
  sloStatusMappings,
  sloTransitionMappings,
  type FieldSpec,
  type RequestEventMappings,
  type TemplateVariant,
} from '@lookout/telemetry';

/**
 * Where panels read from: the request events and the two kinds of SLO documents. Field names
 * and types come from the telemetry package's field lists, so a renamed field stops the panels
 * from compiling.
 */
export const SOURCES = {
  requests: {
    title: 'lookout requests',
    indexPattern: REQUEST_EVENTS_PATTERN,
    timeField: '@timestamp',
    fields: REQUEST_EVENT_FIELDS,
    mappings: requestEventMappings,
  },
  sloStatus: {
    title: 'lookout SLO status',
    indexPattern: `${SLO_STATUS_INDEX}*`,
    timeField: '@timestamp',
    fields: SLO_STATUS_FIELDS,
    mappings: sloStatusMappings,
  },
  sloTransitions: {
    title: 'lookout SLO transitions',
    indexPattern: `${SLO_TRANSITIONS_INDEX}*`,
    timeField: '@timestamp',
    fields: SLO_TRANSITION_FIELDS,
    mappings: sloTransitionMappings,
  },
} as const satisfies Record<string, Source>;

/** One index (pattern) the dashboards read. */
export interface Source {
  readonly title: string;
  readonly indexPattern: string;
  readonly timeField: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly mappings: (variant: TemplateVariant) => RequestEventMappings;
}

/** Key of {@link SOURCES}. */
export type SourceId = keyof typeof SOURCES;

/**
 * A field of a source, e.g. `FieldOf<'requests'>` includes `'event.duration'`; over several
 * sources, the fields of any of them.
 */
export type FieldOf<S extends SourceId> = S extends SourceId ? keyof (typeof SOURCES)[S]['fields'] & string : never;

/** Every source id, in table order. */
export const SOURCE_IDS = Object.keys(SOURCES) as SourceId[];

/** The field list entry of `field` in `source` (the test and the generators look units up here). */
export function fieldSpec(source: SourceId, field: string): FieldSpec | undefined {
  return (SOURCES[source].fields as Readonly<Record<string, FieldSpec>>)[field];
}
