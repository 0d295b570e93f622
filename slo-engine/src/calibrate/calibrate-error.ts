/**
 * Stable codes of {@link CalibrateError}: why `calibrate` could not read a run. Each names what
 * the operator fixes; never rename one.
 */
export const CALIBRATE_ERROR_CODES = {
  CALIBRATE_USAGE: 'The command line is wrong: a missing, unknown or malformed flag.',
  CALIBRATE_SUMMARY_UNREADABLE: 'The k6 summary file is missing or cannot be read.',
  CALIBRATE_SUMMARY_INVALID: 'The k6 summary file is not JSON (truncated?) or not a summary of a lookout k6 profile.',
  CALIBRATE_SLOS_INVALID: 'The SLO spec file cannot be read or is not valid.',
  CALIBRATE_EVENTS_UNREACHABLE: 'The event store (SQLite file or Elasticsearch) cannot be opened or queried.',
  CALIBRATE_NO_EVENTS: "The event store holds no request events of the run's time span and target.",
  CALIBRATE_SLOS_MATCH_NOTHING: 'No SLO of the spec selects any event of the run (service, host or path prefix).',
  CALIBRATE_OUTPUT_FAILED: 'The report could not be written to the output directory.',
} as const;

export type CalibrateErrorCode = keyof typeof CALIBRATE_ERROR_CODES;

/** A run `calibrate` cannot use; `message` names the file, URL or SLO and what was wrong. */
export class CalibrateError extends Error {
  readonly code: CalibrateErrorCode;

  constructor(code: CalibrateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CalibrateError';
    this.code = code;
  }
}
