import { isNode, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import type { FileProblem } from './file-problem.ts';

/** A parsed and validated document, or where and why it is not usable. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly stage: 'yaml' | 'schema'; readonly problems: readonly FileProblem[] };

/**
 * Parses YAML (or JSON) text and validates it with `schema`. Every problem names the line, the
 * path inside the document and what was expected; YAML syntax errors come first, alone.
 */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S): ParseResult<z.output<S>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      stage: 'yaml',
      problems: doc.errors.map((error) => ({ path: '', line: lines.linePos(error.pos[0]).line, message: `not valid YAML: ${error.message.split('\n')[0]}` })),
    };
  }
  let data: unknown;
  try {
    // Throws on an alias without its anchor, and on alias expansion past yaml's limit (a
    // "billion laughs" document): both are the file's fault, reported like syntax errors.
    data = doc.toJS();
  } catch (error) {
    return { ok: false, stage: 'yaml', problems: [{ path: '', line: firstAliasLine(doc, lines), message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }] };
  }
  const result = schema.safeParse(data ?? {}, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, stage: 'schema', problems: result.error.issues.map((issue) => describeIssue(issue, doc, lines)) };
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): FileProblem {
  const path = formatPath(issue.path);
  const line = lineOf(doc, lines, issue.path);
  let message = issue.message;
  const discriminator = (issue as { discriminator?: string }).discriminator;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  else if (issue.code === 'invalid_union' && discriminator !== undefined) {
    const options = (issue as { options?: unknown[] }).options ?? [];
    const given = typeof issue.input === 'object' && issue.input !== null ? (issue.input as Record<string, unknown>)[discriminator] : issue.input;
    message = `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(given)}`;
  } else if ('input' in issue && issue.input !== undefined && issue.code !== 'custom' && !message.includes('received')) {
    message += `, got ${JSON.stringify(issue.input)}`;
  } else if ('input' in issue && issue.input === undefined && issue.code !== 'custom') {
    message += ' (missing)';
  }
  return line === undefined ? { path, message } : { path, line, message };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Line of the first alias (`*name`) in the document, where alias resolution fails; else 1. */
function firstAliasLine(doc: Document, lines: LineCounter): number {
  let line = 1;
  visit(doc, {
    Alias(_, node) {
      if (node.range) line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}
