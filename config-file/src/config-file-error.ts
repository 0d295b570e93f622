import { formatProblems, type FileProblem } from './file-problem.ts';

/**
 * A config file that cannot be used, with a stable `code`; `message` lists every problem, one
 * per line. Each kind of file has its own subclass and codes.
 */
export class ConfigFileError<Code extends string> extends Error {
  readonly code: Code;
  readonly file: string;
  readonly problems: readonly FileProblem[];

  constructor(title: string, code: Code, file: string, problems: readonly FileProblem[]) {
    super(formatProblems(title, file, problems));
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}
