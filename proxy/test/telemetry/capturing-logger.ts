import { Logger } from '../../src/log.ts';

/** A Logger that keeps its lines (parsed) instead of writing them; `LOG_ECHO=1` also prints them. */
export class CapturingLogger extends Logger {
  readonly lines: Record<string, unknown>[] = [];

  constructor() {
    super({}, 'debug');
  }

  override write(level: number, fields: Record<string, unknown> | string, msg?: string, extra = ''): void {
    const line: Record<string, unknown> = { level, ...(extra ? (JSON.parse(`{${extra.slice(1)}}`) as object) : {}) };
    if (typeof fields === 'string') line.msg = fields;
    else Object.assign(line, fields, { msg: msg ?? '' });
    this.lines.push(line);
    if (process.env.LOG_ECHO === '1') console.log(JSON.stringify(line));
  }

  /** Lines carrying `code`. */
  withCode(code: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.code === code);
  }
}
