import { expect } from 'vitest';
import type { Condition } from '../src/condition.ts';
import type { AggregatePanel, Bucket, Metric, Panel } from '../src/panel.ts';
import { bucketKey, metricKey, type Row } from '../src/row-key.ts';
import { SOURCES, type SourceId } from '../src/sources.ts';
import type { SearchWindow } from '../src/elasticsearch/search-window.ts';

/**
 * Expected panel results computed in memory from the seeded documents and the neutral panel
 * definition, independently of Elasticsearch and of the Kibana/Grafana encodings.
 */

/** An expected cell: a value, or a range for approximate percentiles. */
export type ExpectedValue = Row[string] | { readonly between: readonly [number, number] };
export type ExpectedRow = Record<string, ExpectedValue>;

/** Which tool's semantics to mirror where they differ (Kibana's per-second count, sample sizes). */
export type Tool = 'kibana' | 'grafana';

type Document = Record<string, unknown>;

/** A document flattened to dotted paths. */
export function flatten(document: object, prefix = '', out: Document = {}): Document {
  for (const [key, value] of Object.entries(document)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, path, out);
    else out[path] = value;
  }
  return out;
}

function matches(condition: Condition<SourceId>, document: Document): boolean {
  switch (condition.kind) {
    case 'equals':
      return document[condition.field] === condition.value;
    case 'oneOf':
      return condition.values.includes(document[condition.field] as string);
    case 'range': {
      const value = document[condition.field];
      return typeof value === 'number' && value >= condition.gte && value < condition.lt;
    }
    case 'not':
      return !matches(condition.condition, document);
    case 'and':
      return condition.conditions.every((inner) => matches(inner, document));
  }
}

function time(document: Document, source: SourceId): number {
  return Date.parse(String(document[SOURCES[source].timeField]));
}

function numbers(documents: Document[], field: string): number[] {
  return documents.map((document) => document[field]).filter((value): value is number => typeof value === 'number');
}

function metricValue(metric: Metric<SourceId>, documents: Document[], source: SourceId, tool: Tool, bucketedByTime: boolean, window: SearchWindow): ExpectedValue {
  switch (metric.kind) {
    case 'count':
      return metric.perSecond && tool === 'kibana' && bucketedByTime ? documents.length / (window.intervalMs / 1000) : documents.length;
    case 'percentile': {
      const values = numbers(documents, metric.field).sort((a, b) => a - b);
      if (values.length === 0) return null;
      const rank = (metric.percent / 100) * (values.length - 1);
      return { between: [values[Math.max(0, Math.floor(rank) - 1)]!, values[Math.min(values.length - 1, Math.ceil(rank) + 1)]!] };
    }
    case 'average': {
      const values = numbers(documents, metric.field);
      return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
    }
    case 'sum':
      return numbers(documents, metric.field).reduce((a, b) => a + b, 0);
    case 'max':
    case 'min': {
      const values = numbers(documents, metric.field);
      return values.length === 0 ? null : Math[metric.kind](...values);
    }
    case 'unique_count':
      return new Set(documents.map((document) => document[metric.field]).filter((value) => value !== undefined)).size;
    case 'last_value': {
      const latest = [...documents].sort((a, b) => time(b, source) - time(a, source))[0];
      return (latest?.[metric.field] as Row[string] | undefined) ?? null;
    }
  }
}

function split(bucket: Bucket<SourceId>, documents: Document[], source: SourceId, window: SearchWindow): [Row[string], Document[]][] {
  switch (bucket.kind) {
    case 'date_histogram': {
      const out: [Row[string], Document[]][] = [];
      const first = Math.floor(window.from / window.intervalMs) * window.intervalMs;
      for (let start = first; start <= window.to; start += window.intervalMs) {
        out.push([start, documents.filter((document) => time(document, source) >= start && time(document, source) < start + window.intervalMs)]);
      }
      return out;
    }
    case 'filters':
      return bucket.filters.map((filter) => [filter.label, documents.filter((document) => matches(filter.where, document))]);
    case 'terms': {
      const groups = new Map<Row[string], Document[]>();
      for (const document of documents) {
        const value = document[bucket.field] as Row[string] | undefined;
        if (value === undefined || value === null) continue;
        groups.set(value, [...(groups.get(value) ?? []), document]);
      }
      const entries = [...groups.entries()];
      entries.sort(([keyA, a], [keyB, b]) => (bucket.order === 'count' ? b.length - a.length : 0) || (String(keyA) < String(keyB) ? -1 : String(keyA) > String(keyB) ? 1 : 0));
      return entries.slice(0, bucket.size);
    }
  }
}

/** Documents of `source` inside the window and matching the panel's condition. */
function selected(panel: Panel<SourceId>, documents: readonly object[], window: SearchWindow): Document[] {
  return documents
    .map((document) => flatten(document))
    .filter((document) => time(document, panel.source) >= window.from && time(document, panel.source) <= window.to)
    .filter((document) => !panel.where || matches(panel.where, document));
}

/** The rows a panel should show over `documents` in `window`, as the given tool computes them. */
export function expectedRows(panel: Panel<SourceId>, documents: readonly object[], window: SearchWindow, tool: Tool, sampleSize: number): ExpectedRow[] {
  const inWindow = selected(panel, documents, window);
  const timeField = SOURCES[panel.source].timeField;
  if (panel.kind === 'documents') {
    return inWindow
      .sort((a, b) => time(b, panel.source) - time(a, panel.source))
      .slice(0, sampleSize)
      .map((document) => Object.fromEntries([timeField, ...panel.columns].map((field) => [field, (document[field] as Row[string] | undefined) ?? null])));
  }
  const aggregate = panel as AggregatePanel<SourceId>;
  const bucketedByTime = aggregate.buckets.some((bucket) => bucket.kind === 'date_histogram');
  const rows: ExpectedRow[] = [];
  const walk = (depth: number, subset: Document[], keys: ExpectedRow) => {
    if (depth === aggregate.buckets.length) {
      const row: ExpectedRow = { ...keys };
      for (const metric of aggregate.metrics) row[metricKey(metric)] = metricValue(metric, subset, panel.source, tool, bucketedByTime, window);
      rows.push(row);
      return;
    }
    const bucket = aggregate.buckets[depth]!;
    for (const [value, inner] of split(bucket, subset, panel.source, window)) walk(depth + 1, inner, { ...keys, [bucketKey(bucket)]: value });
  };
  walk(0, inWindow, {});
  return rows;
}

/** Fails with the panel's name unless `actual` has exactly the expected rows (in any order for equal keys). */
export function expectRows(what: string, actual: readonly Row[], expected: readonly ExpectedRow[], keyFields: readonly string[]): void {
  const keyOf = (row: Record<string, unknown>) => JSON.stringify(keyFields.map((field) => row[field] ?? null));
  const actualByKey = new Map(actual.map((row) => [keyOf(row), row]));
  expect(actual.length, `${what}: ${actual.length} rows, expected ${expected.length}\nactual: ${JSON.stringify(actual)}\nexpected: ${JSON.stringify(expected)}`).toBe(expected.length);
  expect(actualByKey.size, `${what}: duplicate bucket keys`).toBe(actual.length);
  for (const row of expected) {
    const found = actualByKey.get(keyOf(row));
    expect(found, `${what}: no row for ${keyOf(row)}; actual keys ${[...actualByKey.keys()].join(' ')}`).toBeDefined();
    for (const [column, value] of Object.entries(row)) {
      const got = found![column];
      const at = `${what} row ${keyOf(row)} column ${column}`;
      if (value !== null && typeof value === 'object') {
        expect(typeof got, `${at}: ${String(got)}`).toBe('number');
        expect(got as number, at).toBeGreaterThanOrEqual(value.between[0] - 1e-9);
        expect(got as number, at).toBeLessThanOrEqual(value.between[1] + 1e-9);
      } else if (typeof value === 'number') {
        expect(typeof got, `${at}: ${String(got)}`).toBe('number');
        expect(got as number, at).toBeCloseTo(value, 6);
      } else {
        expect(got ?? null, at).toEqual(value);
      }
    }
  }
}
