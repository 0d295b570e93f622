import { ConfigFileError, type FileProblem } from '@lookout/config-file';

/** Stable codes of {@link SloSpecError}. */
export type SloSpecErrorCode = 'SLO_SPEC_UNREADABLE' | 'SLO_SPEC_INVALID_YAML' | 'SLO_SPEC_INVALID';

/** One thing wrong in a spec file: where (line, path inside it) and what was expected. */
export type SloSpecProblem = FileProblem;

/** A spec file that cannot be used. `message` lists every problem, one per line. */
export class SloSpecError extends ConfigFileError<SloSpecErrorCode> {
  constructor(code: SloSpecErrorCode, file: string, problems: readonly SloSpecProblem[]) {
    super('invalid SLO spec', code, file, problems);
    this.name = 'SloSpecError';
  }
}
