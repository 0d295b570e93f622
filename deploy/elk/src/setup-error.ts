/** Stable codes of the setup's failures; operators grep them, the exit line carries them. */
export const SETUP_ERRORS = {
  LOOKOUT_SETUP_BAD_OPTION: 'invalid option',
  LOOKOUT_SETUP_ES_UNREACHABLE: 'Elasticsearch cannot be reached',
  LOOKOUT_SETUP_ES_UNAUTHORIZED: 'Elasticsearch refused the credentials or their privileges',
  LOOKOUT_SETUP_ES_NOT_READY: 'Elasticsearch did not become ready in time',
  LOOKOUT_SETUP_ES_UNSUPPORTED: 'this Elasticsearch cannot hold the lookout indices',
  LOOKOUT_SETUP_ES_REJECTED: 'Elasticsearch rejected a setup request',
  LOOKOUT_SETUP_INDEX_CONFLICT: 'an existing index or alias is in the way',
  LOOKOUT_SETUP_KIBANA_UNREACHABLE: 'Kibana cannot be reached',
  LOOKOUT_SETUP_KIBANA_UNAUTHORIZED: 'Kibana refused the credentials or their privileges',
  LOOKOUT_SETUP_KIBANA_NOT_READY: 'Kibana did not become available in time',
  LOOKOUT_SETUP_KIBANA_IMPORT_FAILED: 'Kibana did not import the saved objects',
  LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE: 'the saved objects file cannot be used',
} as const;

export type SetupErrorCode = keyof typeof SETUP_ERRORS;

/** A setup failure with a stable code; `message` starts with the code's description and names the cause. */
export class SetupError extends Error {
  readonly code: SetupErrorCode;

  constructor(code: SetupErrorCode, detail?: string, options?: ErrorOptions) {
    super(detail ? `${SETUP_ERRORS[code]}: ${detail}` : SETUP_ERRORS[code], options);
    this.name = 'SetupError';
    this.code = code;
  }
}
