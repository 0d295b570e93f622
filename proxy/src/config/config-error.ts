export type ConfigErrorCode = 'CONFIG_UNREADABLE' | 'CONFIG_INVALID_YAML' | 'CONFIG_INVALID';

/** One thing wrong in a config file: where (file, line, path inside it) and what was expected. */
export interface ConfigProblem {
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}

/** A config file that cannot be used. `message` lists every problem, one per line. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(code: ConfigErrorCode, file: string, problems: readonly ConfigProblem[]) {
    super(
      `invalid config ${file}:\n` +
        problems.map((p) => `  ${file}${p.line ? `:${p.line}` : ''}: ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}
