import { ConfigFileError, type FileProblem } from '@lookout/config-file';

/** Stable codes of {@link EngineConfigError}. */
export type EngineConfigErrorCode = 'SLO_ENGINE_CONFIG_UNREADABLE' | 'SLO_ENGINE_CONFIG_INVALID_YAML' | 'SLO_ENGINE_CONFIG_INVALID';

/** An engine config file that cannot be used; `message` lists every problem with its line and path. */
export class EngineConfigError extends ConfigFileError<EngineConfigErrorCode> {
  constructor(code: EngineConfigErrorCode, file: string, problems: readonly FileProblem[]) {
    super('invalid slo-engine config', code, file, problems);
    this.name = 'EngineConfigError';
  }
}
