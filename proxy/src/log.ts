import { createLogger as createServiceLogger, type Logger } from '@lookout/log';

export { Logger, type LogLevel } from '@lookout/log';

/** The proxy process logger. */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return createServiceLogger('lookout-proxy', bindings);
}
