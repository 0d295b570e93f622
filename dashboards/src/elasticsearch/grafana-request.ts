import { bucketKey, metricKey, type MetricShape, type Row } from '../row-key.ts';
import type { PanelSearch, SearchResponse } from './lens-request.ts';
import { dateHistogram, luceneQuery, windowQuery, type SearchWindow } from './search-window.ts';

/** The parts of a built Grafana Elasticsearch target the translation reads. */
export interface GrafanaTargetJson {
  readonly query?: string;
  readonly timeField?: string;
  readonly bucketAggs?: readonly { id: string; type: string; field?: string; settings?: Record<string, unknown> }[];
  readonly metrics?: readonly { id: string; type: string; field?: string; settings?: Record<string, unknown> }[];
}

/** A built Grafana panel transformation. */
export interface GrafanaTransformation {
  readonly id: string;
  readonly options: Record<string, unknown>;
}

type AggregationBucket = Record<string, unknown> & { doc_count: number; key?: unknown };

const METRIC_KINDS: Record<string, MetricShape['kind']> = { count: 'count', avg: 'average', sum: 'sum', max: 'max', min: 'min', cardinality: 'unique_count' };

function flatten(source: Record<string, unknown>, prefix = '', out: Row = {}): Row {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value as Record<string, unknown>, path, out);
    else out[path] = value as Row[string];
  }
  return out;
}

/** Applies the transformations the generator writes (sortBy, groupBy with `last`, filterFieldsByName); `organize` only renames for display. */
function transform(rows: Row[], transformations: readonly GrafanaTransformation[]): Row[] {
  let out = rows;
  for (const transformation of transformations) {
    switch (transformation.id) {
      case 'sortBy': {
        const [sort] = transformation.options.sort as { field: string; desc: boolean }[];
        out = [...out].sort((a, b) => {
          const left = String(a[sort!.field] ?? '');
          const right = String(b[sort!.field] ?? '');
          return (left < right ? -1 : left > right ? 1 : 0) * (sort!.desc ? -1 : 1);
        });
        break;
      }
      case 'groupBy': {
        const fields = transformation.options.fields as Record<string, { operation: string; aggregations: string[] }>;
        const groupFields = Object.keys(fields).filter((field) => fields[field]!.operation === 'groupby');
        const groups = new Map<string, Row>();
        for (const row of out) {
          const group = JSON.stringify(groupFields.map((field) => row[field] ?? null));
          const grouped = groups.get(group) ?? Object.fromEntries(groupFields.map((field) => [field, row[field] ?? null]));
          for (const [field, config] of Object.entries(fields)) {
            if (config.operation !== 'aggregate') continue;
            if (config.aggregations.join() !== 'last') throw new Error(`grafana request: groupBy aggregation ${config.aggregations.join()} is not supported`);
            grouped[metricKey({ kind: 'last_value', field })] = row[field] ?? null;
          }
          groups.set(group, grouped);
        }
        out = [...groups.values()];
        break;
      }
      case 'filterFieldsByName': {
        const names = (transformation.options.include as { names: string[] }).names;
        out = out.map((row) => Object.fromEntries(names.map((name) => [name, row[name] ?? null])));
        break;
      }
      case 'organize':
        break;
      default:
        throw new Error(`grafana request: transformation ${transformation.id} is not supported`);
    }
  }
  return out;
}

/**
 * The search Grafana's Elasticsearch datasource runs for a target: bucket aggregations nest in
 * order (the date histogram innermost), metrics in the innermost bucket; `raw_data` reads the
 * newest documents. The panel's transformations are applied to the rows.
 */
export function grafanaSearch(target: GrafanaTargetJson, transformations: readonly GrafanaTransformation[], window: SearchWindow): PanelSearch {
  const timeField = target.timeField ?? '@timestamp';
  const metrics = target.metrics ?? [];
  const buckets = target.bucketAggs ?? [];
  const query = windowQuery(timeField, window, target.query ?? '');

  const raw = metrics.find((metric) => metric.type === 'raw_data');
  if (raw) {
    const body = { size: Number(raw.settings?.size ?? 500), query, sort: [{ [timeField]: { order: 'desc', unmapped_type: 'boolean' } }, { _doc: { order: 'desc' } }] };
    return { body, rows: (response) => transform(response.hits.hits.map((hit) => flatten(hit._source ?? {})), transformations) };
  }

  const leaf: Record<string, unknown> = {};
  for (const metric of metrics) {
    if (metric.type === 'count') continue;
    if (metric.type === 'percentiles') leaf[metric.id] = { percentiles: { field: metric.field, percents: (metric.settings?.percents as string[]).map(Number), keyed: false } };
    else if (METRIC_KINDS[metric.type]) leaf[metric.id] = { [metric.type]: { field: metric.field } };
    else throw new Error(`grafana request: metric type ${metric.type} is not supported`);
  }
  let aggregations = leaf;
  for (const bucket of [...buckets].reverse()) {
    let aggregation: Record<string, unknown>;
    if (bucket.type === 'date_histogram') aggregation = dateHistogram(bucket.field ?? timeField, window);
    else if (bucket.type === 'terms') {
      const orderBy = String(bucket.settings?.orderBy ?? '_term');
      if (orderBy !== '_count' && orderBy !== '_term') throw new Error(`grafana request: terms ordered by ${orderBy} is not supported`);
      aggregation = {
        terms: {
          field: bucket.field,
          size: Number(bucket.settings?.size ?? 10),
          order: { [orderBy === '_term' ? '_key' : '_count']: bucket.settings?.order ?? 'desc' },
          min_doc_count: Number(bucket.settings?.min_doc_count ?? 1),
        },
      };
    } else if (bucket.type === 'filters') {
      const filters = bucket.settings?.filters as { query: string; label: string }[];
      aggregation = { filters: { filters: Object.fromEntries(filters.map((filter) => [filter.label || filter.query, luceneQuery(filter.query)])) } };
    } else throw new Error(`grafana request: bucket type ${bucket.type} is not supported`);
    if (Object.keys(aggregations).length > 0) aggregation.aggs = aggregations;
    aggregations = { [bucket.id]: aggregation };
  }
  const body = { size: 0, track_total_hits: true, query, aggs: aggregations };

  const rows = (response: SearchResponse): Row[] => {
    const out: Row[] = [];
    const walk = (container: Record<string, unknown>, depth: number, keys: Row, docCount: number) => {
      if (depth === buckets.length) {
        const row: Row = { ...keys };
        for (const metric of metrics) {
          if (metric.type === 'count') row[metricKey({ kind: 'count' })] = docCount;
          else if (metric.type === 'percentiles') {
            for (const entry of (container[metric.id] as { values: { key: number; value: number | null }[] }).values) {
              row[metricKey({ kind: 'percentile', field: metric.field, percent: entry.key })] = entry.value;
            }
          } else row[metricKey({ kind: METRIC_KINDS[metric.type]!, field: metric.field })] = (container[metric.id] as { value: number | null }).value;
        }
        out.push(row);
        return;
      }
      const bucket = buckets[depth]!;
      const key = bucketKey({ kind: bucket.type as 'terms', field: bucket.field });
      const aggregation = container[bucket.id] as { buckets: AggregationBucket[] | Record<string, AggregationBucket> };
      const list = Array.isArray(aggregation.buckets) ? aggregation.buckets.map((entry) => [entry.key, entry] as const) : Object.entries(aggregation.buckets);
      for (const [value, entry] of list) walk(entry, depth + 1, { ...keys, [key]: value as Row[string] }, entry.doc_count);
    };
    walk(response.aggregations ?? {}, 0, {}, response.hits.total?.value ?? 0);
    return out;
  };
  return { body, rows };
}

