/** Stable codes of the telemetry pipeline's errors; operators grep them, logs carry them. */
export const TELEMETRY_ERRORS = {
  LOOKOUT_ES_UNREACHABLE: 'Elasticsearch cannot be reached',
  LOOKOUT_ES_TIMEOUT: 'Elasticsearch did not answer in time',
  LOOKOUT_ES_UNAUTHORIZED: 'Elasticsearch refused the credentials or their privileges',
  LOOKOUT_ES_THROTTLED: 'Elasticsearch is overloaded (429)',
  LOOKOUT_ES_SERVER_ERROR: 'Elasticsearch failed the request',
  LOOKOUT_ES_MAPPING_CONFLICT: 'the index mapping refuses valid events (mapping conflict)',
  LOOKOUT_ES_DOCUMENT_REJECTED: 'Elasticsearch rejected a document that breaks the event contract',
  LOOKOUT_ES_TARGET_MISSING: 'the write alias or data stream does not exist',
  LOOKOUT_ES_ILM_UNAVAILABLE: 'the cluster has no ILM (use template: portable, or ilm: false)',
  LOOKOUT_ES_TEMPLATE_REJECTED: 'Elasticsearch rejected the index template',
  LOOKOUT_ES_INDEX_REJECTED: 'Elasticsearch refused to create the first index',
  LOOKOUT_ES_BACKPRESSURE: 'Elasticsearch is slower than the event rate',
  LOOKOUT_SPOOL_UNAVAILABLE: 'the spool directory cannot be used',
  LOOKOUT_SPOOL_WRITE_FAILED: 'writing to the spool failed',
  LOOKOUT_SPOOL_CORRUPT: 'a spool segment holds an unreadable record',
  LOOKOUT_EMBEDDED_WRITE_FAILED: 'writing to the embedded database failed',
} as const;

export type TelemetryErrorCode = keyof typeof TELEMETRY_ERRORS;

/** A telemetry failure with a stable code; `message` starts with the code's description and names the cause. */
export class TelemetryError extends Error {
  readonly code: TelemetryErrorCode;

  constructor(code: TelemetryErrorCode, detail?: string, options?: ErrorOptions) {
    super(detail ? `${TELEMETRY_ERRORS[code]}: ${detail}` : TELEMETRY_ERRORS[code], options);
    this.name = 'TelemetryError';
    this.code = code;
  }
}
