/** A logger that keeps the lines, for assertions on codes and fields. */
export class CapturingLogger {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; fields: Record<string, unknown>; msg: string }[] = [];
  debug(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'debug', fields, msg });
  }
  info(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'info', fields, msg });
  }
  warn(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'warn', fields, msg });
  }
  error(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'error', fields, msg });
  }
  withCode(code: string): { level: string; fields: Record<string, unknown>; msg: string }[] {
    return this.lines.filter((line) => line.fields.code === code);
  }
}
