import { ConfigFileError, type FileProblem } from '@lookout/config-file';

export type ConfigErrorCode = 'CONFIG_UNREADABLE' | 'CONFIG_INVALID_YAML' | 'CONFIG_INVALID' | 'CONFIG_TLS_UNREADABLE' | 'CONFIG_TLS_INVALID';

/** One thing wrong in a config file: where (line, path inside it) and what was expected. */
export type ConfigProblem = FileProblem;

/** A proxy config file that cannot be used. `message` lists every problem, one per line. */
export class ConfigError extends ConfigFileError<ConfigErrorCode> {
  constructor(code: ConfigErrorCode, file: string, problems: readonly ConfigProblem[]) {
    super('invalid config', code, file, problems);
    this.name = 'ConfigError';
  }
}
