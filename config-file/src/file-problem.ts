/** One thing wrong in a config file: where (line, path inside it) and what was expected. */
export interface FileProblem {
  /** Path inside the document, e.g. `services[0].upstreams[1].url`; '' for the whole file. */
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}

/**
 * The problems as one message, a line each: `  FILE:LINE: PATH: what was expected`.
 *
 * @example formatProblems('invalid config', 'proxy.yaml', problems)
 */
export function formatProblems(title: string, file: string, problems: readonly FileProblem[]): string {
  return `${title} ${file}:\n` + problems.map((p) => `  ${file}${p.line ? `:${p.line}` : ''}: ${p.path || '(root)'}: ${p.message}`).join('\n');
}
