/**
 * Stable codes of {@link EngineError}: what went wrong outside the spec file. Operators grep
 * logs and alert on these; never rename one.
 */
export const ENGINE_ERROR_CODES = {
  SLO_ENGINE_CONFIG_INVALID: 'The engine config file is not valid.',
  SLO_STORE_UNREACHABLE: 'The event store (Elasticsearch or the SQLite file) cannot be reached or opened.',
  SLO_STORE_NOT_INITIALISED: 'The event store holds no request events table or index yet.',
  SLO_STORE_QUERY_FAILED: 'The event store rejected or failed a query.',
  SLO_STATE_STORE_FAILED: 'Reading or writing the engine state (states, transitions, outbox, rollups, lease) failed.',
  SLO_LEASE_LOST: 'Another replica holds the lease; this one stays passive.',
  SLO_UNKNOWN_SERVICE: 'An SLO names a service or host that no event carries.',
  SLO_EVALUATION_FAILED: 'One SLO could not be evaluated this tick; the others were.',
  SLO_NOTIFY_UNKNOWN_RECIPIENT: 'An owner is neither an e-mail address nor a configured webhook.',
  SLO_NOTIFY_WEBHOOK_FAILED: 'A webhook delivery attempt failed; it will be retried.',
  SLO_NOTIFY_EMAIL_FAILED: 'An e-mail delivery attempt failed; it will be retried.',
  SLO_NOTIFY_DEAD_LETTER: 'A notification exhausted its attempts and was dead-lettered.',
  SLO_DASHBOARD_ASSET_MISSING: 'A file of the live dashboard (page, script, uPlot) is missing from the installation.',
} as const;

export type EngineErrorCode = keyof typeof ENGINE_ERROR_CODES;

/** An engine failure with a stable code; `details` names what and where (URL, file, SLO). */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: EngineErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}
