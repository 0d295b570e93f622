import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { proxyConfigSchema, type ProxyConfig } from './schema.ts';

export { ConfigError } from './config-error.ts';
export type { ConfigErrorCode, ConfigProblem } from './config-error.ts';

/** Reads, parses and validates a proxy config file. Throws ConfigError. */
export async function loadConfigFile(file: string): Promise<ProxyConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_UNREADABLE', file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseConfigText(text, file);
}

/** Parses and validates config text (YAML or JSON). `file` names the source in errors. */
export function parseConfigText(text: string, file: string): ProxyConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      'CONFIG_INVALID_YAML',
      file,
      doc.errors.map((error) => ({
        path: '',
        line: lines.linePos(error.pos[0]).line,
        message: `not valid YAML: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const result = proxyConfigSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!result.success) {
    throw new ConfigError('CONFIG_INVALID', file, result.error.issues.map((issue) => describeIssue(issue, doc, lines)));
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): ConfigProblem {
  const path = formatPath(issue.path);
  const line = lineOf(doc, lines, issue.path);
  let message = issue.message;
  const discriminator = (issue as { discriminator?: string; options?: unknown[] }).discriminator;
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
