import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataTransformerConfig } from '@grafana/grafana-foundation-sdk/dashboard';
import * as elasticsearch from '@grafana/grafana-foundation-sdk/elasticsearch';
import { toLucene } from '../condition.ts';
import type { AggregatePanel, Bucket, DocumentsPanel, Metric, Panel } from '../panel.ts';
import { SOURCES, type SourceId } from '../sources.ts';
import { datasourceRef } from './datasources.ts';

/** Grafana's Elasticsearch metric type names, by our metric kinds. */
export const GRAFANA_METRIC_TYPES = {
  count: 'count',
  percentile: 'percentiles',
  average: 'avg',
  sum: 'sum',
  max: 'max',
  min: 'min',
  unique_count: 'cardinality',
  raw_data: 'raw_data',
} as const;

/** A Grafana metric type this package writes. */
export type GrafanaMetricType = (typeof GRAFANA_METRIC_TYPES)[keyof typeof GRAFANA_METRIC_TYPES];

/** How many documents a raw-data query reads (newest first). */
export const RAW_DATA_SIZE = 500;

/** A panel's query, the metric types the SDK leaves as "unknown", and the transformations it needs. */
export interface GrafanaTarget {
  readonly query: elasticsearch.DataqueryBuilder;
  /** Metric id → type, for `fixUnknownMetricTypes`. */
  readonly metricTypes: Readonly<Record<string, GrafanaMetricType>>;
  readonly transformations: readonly DataTransformerConfig[];
}

type MetricBuilder = cog.Builder<elasticsearch.MetricAggregation>;
type BucketBuilder = cog.Builder<elasticsearch.BucketAggregation>;

function bucketBuilder(source: SourceId, bucket: Bucket<SourceId>, id: string): BucketBuilder {
  switch (bucket.kind) {
    case 'date_histogram':
      return new elasticsearch.DateHistogramBuilder().id(id).field(SOURCES[source].timeField).settings({ interval: 'auto', min_doc_count: '0', trimEdges: '0' });
    case 'terms':
      return new elasticsearch.TermsBuilder()
        .id(id)
        .field(bucket.field)
        .settings({
          size: String(bucket.size),
          order: bucket.order === 'count' ? elasticsearch.TermsOrder.Desc : elasticsearch.TermsOrder.Asc,
          orderBy: bucket.order === 'count' ? '_count' : '_term',
          min_doc_count: '1',
        });
    case 'filters':
      return new elasticsearch.FiltersBuilder().id(id).settings({ filters: bucket.filters.map((filter) => ({ query: toLucene(filter.where), label: filter.label })) });
  }
}

/** Metrics in Grafana's shape: consecutive percentiles of one field share one `percentiles` metric. */
function metricBuilders(metrics: readonly Metric<SourceId>[], firstId: number): { builders: MetricBuilder[]; types: Record<string, GrafanaMetricType> } {
  const builders: MetricBuilder[] = [];
  const types: Record<string, GrafanaMetricType> = {};
  let id = firstId;
  for (let index = 0; index < metrics.length; index++) {
    const metric = metrics[index]!;
    const metricId = String(id++);
    switch (metric.kind) {
      case 'count':
        builders.push(new elasticsearch.CountBuilder().id(metricId));
        break;
      case 'percentile': {
        const percents = [metric.percent];
        while (metrics[index + 1]?.kind === 'percentile' && (metrics[index + 1] as { field: string }).field === metric.field) {
          percents.push((metrics[++index] as { percent: number }).percent);
        }
        builders.push(new elasticsearch.PercentilesBuilder().id(metricId).field(metric.field).settings({ percents: percents.map(String) }));
        break;
      }
      case 'average':
        builders.push(new elasticsearch.AverageBuilder().id(metricId).field(metric.field));
        break;
      case 'sum':
        builders.push(new elasticsearch.SumBuilder().id(metricId).field(metric.field));
        break;
      case 'max':
        builders.push(new elasticsearch.MaxBuilder().id(metricId).field(metric.field));
        break;
      case 'min':
        builders.push(new elasticsearch.MinBuilder().id(metricId).field(metric.field));
        break;
      case 'unique_count':
        builders.push(new elasticsearch.UniqueCountBuilder().id(metricId).field(metric.field));
        break;
      case 'last_value':
        throw new Error(`grafana target: last_value metrics are read from raw documents (see lastValueTarget), not aggregated`);
    }
    types[metricId] = GRAFANA_METRIC_TYPES[metric.kind];
  }
  return { builders, types };
}

function baseQuery(panel: Panel<SourceId>, refId: string): elasticsearch.DataqueryBuilder {
  return new elasticsearch.DataqueryBuilder()
    .refId(refId)
    .datasource(datasourceRef(panel.source))
    .timeField(SOURCES[panel.source].timeField)
    .query(panel.where ? toLucene(panel.where) : '');
}

function rawDataQuery(panel: Panel<SourceId>, refId: string): GrafanaTarget['query'] {
  return baseQuery(panel, refId).bucketAggs([]).metrics([new elasticsearch.RawDataBuilder().id('1').settings({ size: String(RAW_DATA_SIZE) })]);
}

/**
 * "Latest value per group" panels (every metric `last_value`, one terms bucket): Grafana's
 * top_metrics needs Elasticsearch's x-pack analytics and reads numbers only, so the panel reads
 * the newest documents and reduces them: sort by time, group by the terms field, take the last.
 */
function lastValueTarget(panel: AggregatePanel<SourceId>, refId: string): GrafanaTarget {
  const [group, ...rest] = panel.buckets;
  if (!group || group.kind !== 'terms' || rest.length > 0) throw new Error(`grafana target: panel ${panel.key}: last_value needs exactly one terms bucket`);
  const fields: Record<string, unknown> = { [group.field]: { operation: 'groupby', aggregations: [] } };
  const renames: Record<string, string> = { [group.field]: group.label };
  for (const metric of panel.metrics) {
    if (metric.kind !== 'last_value') throw new Error(`grafana target: panel ${panel.key} mixes last_value with ${metric.kind}`);
    fields[metric.field] = { operation: 'aggregate', aggregations: ['last'] };
    renames[`${metric.field} (last)`] = metric.label;
  }
  return {
    query: rawDataQuery(panel, refId),
    metricTypes: { '1': 'raw_data' },
    transformations: [
      { id: 'sortBy', options: { sort: [{ field: SOURCES[panel.source].timeField, desc: false }] } },
      { id: 'groupBy', options: { fields } },
      { id: 'organize', options: { renameByName: renames } },
    ],
  };
}

function documentsTarget(panel: DocumentsPanel<SourceId>, refId: string): GrafanaTarget {
  const timeField = SOURCES[panel.source].timeField;
  const names = [timeField, ...panel.columns];
  return {
    query: rawDataQuery(panel, refId),
    metricTypes: { '1': 'raw_data' },
    transformations: [
      { id: 'filterFieldsByName', options: { include: { names } } },
      { id: 'organize', options: { indexByName: Object.fromEntries(names.map((name, index) => [name, index])) } },
    ],
  };
}

/** The Elasticsearch query of a panel (`refId` A). */
export function elasticsearchTarget(panel: Panel<SourceId>, refId = 'A'): GrafanaTarget {
  if (panel.kind === 'documents') return documentsTarget(panel, refId);
  if (panel.metrics.some((metric) => metric.kind === 'last_value')) return lastValueTarget(panel, refId);
  const dateIndex = panel.buckets.findIndex((bucket) => bucket.kind === 'date_histogram');
  if (dateIndex >= 0 && dateIndex !== panel.buckets.length - 1) {
    throw new Error(`grafana target: panel ${panel.key}: the date histogram must be the last bucket (Grafana nests it innermost)`);
  }
  const buckets = panel.buckets.map((bucket, index) => bucketBuilder(panel.source, bucket, String(panel.metrics.length + 1 + index)));
  const { builders, types } = metricBuilders(panel.metrics, 1);
  return { query: baseQuery(panel, refId).bucketAggs(buckets).metrics(builders), metricTypes: types, transformations: [] };
}
