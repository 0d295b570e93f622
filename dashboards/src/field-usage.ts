import type { FieldMapping, ObjectMapping, RequestEventMappings } from '@lookout/telemetry';

/** What a panel does with a field, hence which mapping types serve it. */
export type FieldNeed = 'numeric' | 'aggregatable' | 'date' | 'queryable' | 'readable';

/** One use of a field by a generated panel. */
export interface FieldUsage {
  readonly field: string;
  readonly need: FieldNeed;
  /** Where, for messages: tool, object and column or metric. */
  readonly where: string;
}

const NUMERIC = ['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long'];
const AGGREGATABLE = [...NUMERIC, 'keyword', 'constant_keyword', 'wildcard', 'date', 'date_nanos', 'boolean', 'ip'];

/** Mapping types that serve each need (terms/cardinality/top-hits need doc values, not text). */
export const TYPES_BY_NEED: Readonly<Record<FieldNeed, readonly string[]>> = {
  numeric: NUMERIC,
  aggregatable: AGGREGATABLE,
  date: ['date', 'date_nanos'],
  queryable: [...AGGREGATABLE, 'text', 'match_only_text'],
  readable: [...AGGREGATABLE, 'text', 'match_only_text'],
};

/** The mapped type of a dotted field path (multi-fields included), or undefined when unmapped. */
export function mappedType(mappings: RequestEventMappings, path: string): string | undefined {
  let properties: Record<string, FieldMapping | ObjectMapping> | undefined = mappings.properties;
  const segments = path.split('.');
  for (let index = 0; index < segments.length; index++) {
    const node: FieldMapping | ObjectMapping | undefined = properties?.[segments[index]!];
    if (!node) return undefined;
    if ('type' in node) {
      if (index === segments.length - 1) return node.type;
      const multiField = (node.fields as Record<string, FieldMapping> | undefined)?.[segments.slice(index + 1).join('.')];
      return multiField?.type;
    }
    properties = node.properties;
  }
  return undefined;
}

/** Why a usage is not served by the mappings, or undefined when it is. */
export function usageProblem(usage: FieldUsage, mappings: RequestEventMappings): string | undefined {
  const type = mappedType(mappings, usage.field);
  if (type === undefined) return `${usage.where}: field ${usage.field} is not in the mapping`;
  if (!TYPES_BY_NEED[usage.need].includes(type)) return `${usage.where}: field ${usage.field} is mapped as ${type}, which cannot serve a ${usage.need} use`;
  return undefined;
}

/**
 * Field names a Lucene query string reads (`field:value`, `field:[a TO b}`, `field:(a OR b)`).
 * Values are quoted or numeric in the generated queries, so every `name:` is a field.
 */
export function luceneFields(query: string): string[] {
  const fields: string[] = [];
  for (const match of query.matchAll(/(?:^|[\s(])((?:\\.|[A-Za-z0-9_@.])+):/g)) fields.push(match[1]!.replace(/\\(.)/g, '$1'));
  return fields;
}
