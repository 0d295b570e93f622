import type { FieldOf, SourceId } from './sources.ts';

/**
 * A document filter that both Kibana and Grafana understand: panels keep it structured, and
 * {@link toLucene} writes it as the Lucene query string both tools accept (Kibana with
 * `language: 'lucene'`, Grafana's Elasticsearch query field). Elasticsearch runs it as a
 * `query_string` query.
 */
export type Condition<S extends SourceId> =
  | { readonly kind: 'equals'; readonly field: FieldOf<S>; readonly value: string | number | boolean }
  | { readonly kind: 'oneOf'; readonly field: FieldOf<S>; readonly values: readonly (string | number)[] }
  /** `gte <= value < lt`. */
  | { readonly kind: 'range'; readonly field: FieldOf<S>; readonly gte: number; readonly lt: number }
  | { readonly kind: 'not'; readonly condition: Condition<S> }
  | { readonly kind: 'and'; readonly conditions: readonly Condition<S>[] };

/** `field` equals `value`. */
export function equals<S extends SourceId>(field: FieldOf<S>, value: string | number | boolean): Condition<S> {
  return { kind: 'equals', field, value };
}

/** `field` is one of `values`. */
export function oneOf<S extends SourceId>(field: FieldOf<S>, values: readonly (string | number)[]): Condition<S> {
  return { kind: 'oneOf', field, values };
}

/** `gte <= field < lt`. */
export function range<S extends SourceId>(field: FieldOf<S>, gte: number, lt: number): Condition<S> {
  return { kind: 'range', field, gte, lt };
}

/** Negation. */
export function not<S extends SourceId>(condition: Condition<S>): Condition<S> {
  return { kind: 'not', condition };
}

/** Conjunction. */
export function and<S extends SourceId>(...conditions: Condition<S>[]): Condition<S> {
  return { kind: 'and', conditions };
}

/** Every field a condition reads, in order of appearance. */
export function conditionFields<S extends SourceId>(condition: Condition<S>): FieldOf<S>[] {
  switch (condition.kind) {
    case 'not':
      return conditionFields(condition.condition);
    case 'and':
      return condition.conditions.flatMap((inner) => conditionFields(inner));
    default:
      return [condition.field];
  }
}

/** Escapes a field name for Lucene (`@` and `.` are fine; nothing else we use needs escaping). */
function luceneField(field: string): string {
  return field.replace(/([+\-=&|><!(){}[\]^"~*?:\\/ ])/g, '\\$1');
}

function luceneValue(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * The Lucene query string of a condition.
 * @example toLucene(range('http.response.status_code', 500, 600)) // 'http.response.status_code:[500 TO 600}'
 */
export function toLucene<S extends SourceId>(condition: Condition<S>): string {
  switch (condition.kind) {
    case 'equals':
      return `${luceneField(condition.field)}:${luceneValue(condition.value)}`;
    case 'oneOf':
      return `${luceneField(condition.field)}:(${condition.values.map(luceneValue).join(' OR ')})`;
    case 'range':
      return `${luceneField(condition.field)}:[${condition.gte} TO ${condition.lt}}`;
    case 'not':
      return `NOT (${toLucene(condition.condition)})`;
    case 'and':
      return condition.conditions.map((inner) => `(${toLucene(inner)})`).join(' AND ');
  }
}
