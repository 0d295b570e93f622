import type { LensColumn } from '../kibana/lens-column.ts';
import type { LensAttributes } from '../kibana/lens-visualization.ts';
import { bucketKey, metricKey, type MetricShape, type Row } from '../row-key.ts';
import { dateHistogram, luceneQuery, windowQuery, type SearchWindow } from './search-window.ts';

/** An Elasticsearch search derived from a panel, and the reader of its response into rows. */
export interface PanelSearch {
  readonly body: Record<string, unknown>;
  readonly rows: (response: SearchResponse) => Row[];
}

/** The parts of a search response the readers use. */
export interface SearchResponse {
  readonly hits: { readonly total?: { readonly value: number }; readonly hits: readonly { readonly _source?: Record<string, unknown>; readonly fields?: Record<string, unknown[]> }[] };
  readonly aggregations?: Record<string, unknown>;
}

type AggregationBucket = Record<string, unknown> & { doc_count: number; key?: unknown };

/** Where a Lens layer's ES request puts each column. */
function metricAggregation(column: LensColumn, timeField: string): Record<string, unknown> | undefined {
  const field = column.sourceField;
  switch (column.operationType) {
    case 'count':
      return undefined;
    case 'percentile':
      return { percentiles: { field, percents: [column.params?.percentile], keyed: false } };
    case 'average':
      return { avg: { field } };
    case 'sum':
    case 'max':
    case 'min':
      return { [column.operationType]: { field } };
    case 'unique_count':
      return { cardinality: { field } };
    case 'last_value':
      return { top_hits: { size: 1, sort: [{ [String(column.params?.sortField ?? timeField)]: { order: 'desc' } }], _source: false, fields: [field] } };
    default:
      throw new Error(`lens request: operation ${column.operationType} is not supported`);
  }
}

function metricShape(column: LensColumn): MetricShape {
  return {
    kind: column.operationType as MetricShape['kind'],
    ...(column.operationType === 'count' ? {} : { field: column.sourceField }),
    ...(column.operationType === 'percentile' ? { percent: Number(column.params?.percentile) } : {}),
  };
}

function readMetric(column: LensColumn, aggregation: unknown, docCount: number, window: SearchWindow, bucketed: boolean): Row[string] {
  if (column.operationType === 'count') {
    return column.timeScale === 's' && bucketed ? docCount / (window.intervalMs / 1000) : docCount;
  }
  const value = aggregation as { value?: number | null; values?: { value: number | null }[]; hits?: { hits: { fields?: Record<string, unknown[]> }[] } };
  if (column.operationType === 'percentile') return value.values?.[0]?.value ?? null;
  if (column.operationType === 'last_value') {
    const values = value.hits?.hits[0]?.fields?.[column.sourceField as string];
    return (values?.[0] as Row[string] | undefined) ?? null;
  }
  return value.value ?? null;
}

/**
 * The search Kibana runs for a Lens visualisation (one form-based layer): bucket columns nest
 * in column order, metrics sit in the innermost bucket; count columns with a time scale of one
 * second are divided by the interval in seconds, as Lens does.
 */
export function lensSearch(attributes: LensAttributes, timeField: string, window: SearchWindow): PanelSearch {
  const layers = Object.values(attributes.state.datasourceStates.formBased.layers);
  if (layers.length !== 1) throw new Error(`lens request: ${attributes.title} has ${layers.length} layers, expected 1`);
  const layer = layers[0]!;
  const columns = layer.columnOrder.map((id) => ({ id, column: layer.columns[id]! }));
  const buckets = columns.filter(({ column }) => column.isBucketed);
  const metrics = columns.filter(({ column }) => !column.isBucketed);
  const bucketedByTime = buckets.some(({ column }) => column.operationType === 'date_histogram');

  const leaf: Record<string, unknown> = {};
  for (const { id, column } of metrics) {
    const aggregation = metricAggregation(column, timeField);
    if (aggregation) leaf[id] = aggregation;
  }
  let aggregations = leaf;
  for (const { id, column } of [...buckets].reverse()) {
    let aggregation: Record<string, unknown>;
    if (column.operationType === 'date_histogram') aggregation = dateHistogram(column.sourceField ?? timeField, window);
    else if (column.operationType === 'terms') {
      const orderBy = column.params?.orderBy as { type: string; columnId?: string };
      const orderColumn = orderBy.type === 'column' ? layer.columns[orderBy.columnId!] : undefined;
      if (orderBy.type === 'column' && orderColumn?.operationType !== 'count') throw new Error(`lens request: terms ordered by ${orderColumn?.operationType} is not supported`);
      aggregation = {
        terms: {
          field: column.sourceField,
          size: column.params?.size,
          order: orderBy.type === 'column' ? { _count: column.params?.orderDirection } : { _key: column.params?.orderDirection },
        },
      };
    } else if (column.operationType === 'filters') {
      const filters = column.params?.filters as { input: { query: string; language: string }; label: string }[];
      aggregation = { filters: { filters: Object.fromEntries(filters.map((filter) => [filter.label, luceneQuery(filter.input.query)])) } };
    } else throw new Error(`lens request: bucket operation ${column.operationType} is not supported`);
    if (Object.keys(aggregations).length > 0) aggregation.aggs = aggregations;
    aggregations = { [id]: aggregation };
  }

  const body = { size: 0, track_total_hits: true, query: windowQuery(timeField, window, attributes.state.query.query), aggs: aggregations };

  const rows = (response: SearchResponse): Row[] => {
    const out: Row[] = [];
    const walk = (container: Record<string, unknown>, depth: number, keys: Row, docCount: number) => {
      if (depth === buckets.length) {
        const row: Row = { ...keys };
        for (const { id, column } of metrics) row[metricKey(metricShape(column))] = readMetric(column, container[id], docCount, window, bucketedByTime);
        out.push(row);
        return;
      }
      const { id, column } = buckets[depth]!;
      const key = bucketKey({ kind: column.operationType as 'terms', field: column.sourceField });
      const aggregation = container[id] as { buckets: AggregationBucket[] | Record<string, AggregationBucket> };
      const list = Array.isArray(aggregation.buckets)
        ? aggregation.buckets.map((bucket) => [bucket.key, bucket] as const)
        : Object.entries(aggregation.buckets);
      for (const [bucketValue, bucket] of list) walk(bucket, depth + 1, { ...keys, [key]: bucketValue as Row[string] }, bucket.doc_count);
    };
    walk(response.aggregations ?? {}, 0, {}, response.hits.total?.value ?? 0);
    return out;
  };
  return { body, rows };
}
