import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { Slo } from '../model/slo.ts';
import { parseDuration } from './duration.ts';
import { SloSpecError, type SloSpecProblem } from './slo-spec-error.ts';
import { sloSpecSchema, type SloSpec, type SloSpecItem } from './slo-spec.ts';

/**
 * Parses and validates SLO spec text (YAML or JSON) and resolves it into the model. `file`
 * names the source in errors. Throws {@link SloSpecError} listing every problem with its line,
 * path and expectation.
 *
 * @example
 * parseSloSpecText('slos:\n  - name: api\n    service: api\n    indicator: { type: availability }\n    objective: 0.999\n', 'slos.yaml');
 */
export function parseSloSpecText(text: string, file: string): Slo[] {
  return resolveSloSpec(validateSloSpecText(text, file));
}

/** Parses and validates SLO spec text, without resolving it. Throws {@link SloSpecError}. */
export function validateSloSpecText(text: string, file: string): SloSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SloSpecError(
      'SLO_SPEC_INVALID_YAML',
      file,
      doc.errors.map((error) => ({
        path: '',
        line: lines.linePos(error.pos[0]).line,
        message: `not valid YAML: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const result = sloSpecSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!result.success) {
    throw new SloSpecError('SLO_SPEC_INVALID', file, result.error.issues.map((issue) => describeIssue(issue, doc, lines)));
  }
  return result.data;
}

/** The model of a validated spec: defaults applied, durations in ms. */
export function resolveSloSpec(spec: SloSpec): Slo[] {
  return spec.slos.map(resolveSlo);
}

function resolveSlo(item: SloSpecItem): Slo {
  const filter = {
    ...(item.service !== undefined && { service: item.service }),
    ...(item.host !== undefined && { host: item.host }),
    ...(item.pathPrefix !== undefined && { pathPrefix: item.pathPrefix }),
  };
  const common = {
    name: item.name,
    ...(item.description !== undefined && { description: item.description }),
    filter,
    states: { ...item.states },
    holdMs: ms(item.hold),
    owners: { sli: [...item.owners.sli], slo: [...item.owners.slo] },
    minTraffic: item.minTraffic,
  };
  const indicator = item.indicator;
  if (indicator.type === 'threshold') {
    const windowMs = ms(indicator.window);
    return { ...common, kind: 'threshold', indicator: { type: 'threshold', metric: indicator.metric, limit: indicator.limit, windowMs }, windowMs };
  }
  // The schema requires an objective for budget indicators.
  return { ...common, kind: 'budget', indicator: { ...indicator }, objective: item.objective ?? Number.NaN, windowMs: ms(item.window) };
}

function ms(text: string): number {
  const value = parseDuration(text);
  if (value === undefined) throw new TypeError(`not a duration: ${text}`);
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): SloSpecProblem {
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
