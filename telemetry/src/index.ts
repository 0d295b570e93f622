export {
  InvalidRequestEventError,
  REQUEST_EVENT_DATASET,
  REQUEST_EVENT_SCHEMA_VERSION,
  parseRequestEvent,
  requestEventSchema,
  type RequestEvent,
} from './request-event.ts';
export { exampleRequestEvent } from './request-event.example.ts';
export {
  TERMINATIONS,
  TERMINATION_CODES,
  eventOutcome,
  type EventOutcome,
  type TerminationCode,
  type TerminationSpec,
} from './termination.ts';
export { createRequestEventId } from './event-id.ts';
export {
  REQUEST_EVENT_FIELDS,
  REQUEST_EVENT_FIELD_PATHS,
  type EsFieldType,
  type FieldSpec,
  type RequestEventField,
} from './fields.ts';
export {
  mappingsFromFields,
  portableTemplate,
  productionTemplate,
  requestEventMappings,
  type FieldMapping,
  type IndexTemplate,
  type ObjectMapping,
  type ProductionTemplateOptions,
  type RequestEventMappings,
  type TemplateOptions,
  type TemplateVariant,
} from './index-template.ts';
export {
  REQUEST_EVENTS_FIRST_INDEX,
  REQUEST_EVENTS_ILM_POLICY,
  REQUEST_EVENTS_PATTERN,
  REQUEST_EVENTS_PORTABLE_PATTERN,
  REQUEST_EVENTS_TARGET,
  REQUEST_EVENTS_TEMPLATE,
} from './index-names.ts';
export {
  REQUEST_EVENTS_RETENTION,
  REQUEST_EVENTS_ROLLOVER,
  bootstrapIndexBody,
  ilmPolicyBody,
  rolloverRequestBody,
  type LifecycleOptions,
  type RolloverConditions,
} from './index-lifecycle.ts';
export {
  DEFAULT_REDACTED_QUERY_PARAMS,
  NEVER_RECORDED_HEADERS,
  REDACTED,
  createQueryRedactor,
  isNeverRecordedHeader,
  type QueryRedactor,
} from './redaction.ts';
export {
  SLO_STATUS_DATASET,
  SLO_STATUS_FIELDS,
  SLO_STATUS_INDEX,
  SLO_TRANSITIONS_INDEX,
  SLO_TRANSITION_DATASET,
  SLO_TRANSITION_FIELDS,
  sloStatusMappings,
  sloTransitionMappings,
  type SloStatusDocument,
  type SloStatusValue,
  type SloTransitionDocument,
} from './slo-documents.ts';
