export { formatProblems } from './file-problem.ts';
export type { FileProblem } from './file-problem.ts';
export { parseYamlWithSchema } from './parse-yaml-with-schema.ts';
export type { ParseResult } from './parse-yaml-with-schema.ts';
export { ConfigFileError } from './config-file-error.ts';
