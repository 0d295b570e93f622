/** Log levels, lowest first; `LOG_LEVEL` picks the minimum written. */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * JSON-lines logger on stdout: `{"level","time",...bindings,...fields,"msg"}`. Hand-written
 * rather than pino: the services log only lifecycle events (never per request: that is what
 * telemetry is for), and pino's modules cost ~15 MiB of resident memory per process, measured
 * against the proxy's 90 MiB worker budget.
 */
export class Logger {
  readonly #bindings: string;
  readonly #min: number;

  constructor(bindings: Record<string, unknown> = {}, level: LogLevel = parseLevel(process.env.LOG_LEVEL)) {
    this.#bindings = serializeFields(bindings);
    this.#min = LEVELS[level];
  }

  /** A logger whose lines also carry `bindings`. */
  child(bindings: Record<string, unknown>): Logger {
    return new BoundLogger(this, bindings);
  }

  debug(fields: Record<string, unknown> | string, msg?: string): void {
    this.write(20, fields, msg);
  }
  info(fields: Record<string, unknown> | string, msg?: string): void {
    this.write(30, fields, msg);
  }
  warn(fields: Record<string, unknown> | string, msg?: string): void {
    this.write(40, fields, msg);
  }
  error(fields: Record<string, unknown> | string, msg?: string): void {
    this.write(50, fields, msg);
  }
  fatal(fields: Record<string, unknown> | string, msg?: string): void {
    this.write(60, fields, msg);
  }

  /** Writes one line; `extra` is pre-serialized bindings of a child logger. */
  write(level: number, fields: Record<string, unknown> | string, msg?: string, extra = ''): void {
    if (level < this.#min) return;
    const [body, message] = typeof fields === 'string' ? ['', fields] : [serializeFields(fields), msg ?? ''];
    process.stdout.write(
      `{"level":"${levelName(level)}","time":"${new Date().toISOString()}"${this.#bindings}${extra}${body},"msg":${JSON.stringify(message)}}\n`,
    );
  }
}

/** A child logger: the parent's output with extra bindings. */
class BoundLogger extends Logger {
  readonly #parent: Logger;
  readonly #extra: string;

  constructor(parent: Logger, bindings: Record<string, unknown>) {
    super({}, 'fatal');
    this.#parent = parent;
    this.#extra = serializeFields(bindings);
  }

  override child(bindings: Record<string, unknown>): Logger {
    return new BoundLogger(this, bindings);
  }

  override write(level: number, fields: Record<string, unknown> | string, msg?: string, extra = ''): void {
    this.#parent.write(level, fields, msg, this.#extra + extra);
  }
}

/** `,"key":value` for each field; errors become `{type,message,code,stack}`. */
function serializeFields(fields: Record<string, unknown>): string {
  let out = '';
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    out += `,${JSON.stringify(key)}:${JSON.stringify(value instanceof Error ? describeError(value) : value)}`;
  }
  return out;
}

function describeError(error: Error): Record<string, unknown> {
  return { type: error.name, message: error.message, code: (error as NodeJS.ErrnoException).code, stack: error.stack };
}

function parseLevel(text: string | undefined): LogLevel {
  return text !== undefined && text in LEVELS ? (text as LogLevel) : 'info';
}

function levelName(level: number): LogLevel {
  return (Object.keys(LEVELS) as LogLevel[]).find((name) => LEVELS[name] === level) ?? 'info';
}

/** The process logger of a service, e.g. `createLogger('lookout-proxy')`. */
export function createLogger(service: string, bindings: Record<string, unknown> = {}): Logger {
  return new Logger({ service, pid: process.pid, ...bindings });
}
