/** Base class of the echo upstream's errors; callers branch on `code`. */
export class EchoUpstreamError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EchoUpstreamError';
    this.code = code;
  }
}

/** A flag, config file entry or in-process option has an invalid value; nothing was started. */
export class EchoOptionError extends EchoUpstreamError {
  constructor(message: string, options?: ErrorOptions) {
    super('ECHO_BAD_OPTION', message, options);
    this.name = 'EchoOptionError';
  }
}

/** A spawned echo upstream did not come up (exited early, or no listening line in time). */
export class EchoSpawnError extends EchoUpstreamError {
  constructor(message: string, options?: ErrorOptions) {
    super('ECHO_SPAWN_FAILED', message, options);
    this.name = 'EchoSpawnError';
  }
}
