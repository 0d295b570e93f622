import { formatProblems, type FileProblem } from '@lookout/config-file';

export type ConfigErrorCode = 'CONFIG_UNREADABLE' | 'CONFIG_INVALID_YAML' | 'CONFIG_INVALID';

/** One thing wrong in a config file: where (line, path inside it) and what was expected. */
export type ConfigProblem = FileProblem;

/** A config file that cannot be used. `message` lists every problem, one per line. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(code: ConfigErrorCode, file: string, problems: readonly ConfigProblem[]) {
    super(formatProblems('invalid config', file, problems));
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}
