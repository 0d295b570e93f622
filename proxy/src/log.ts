import { pino, type Logger } from 'pino';

/** The process logger: JSON lines on stdout, `LOG_LEVEL` (default info). */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: 'lookout-proxy', pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
