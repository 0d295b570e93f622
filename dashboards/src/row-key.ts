/**
 * Names of the columns of a panel's result rows, the same whichever tool's panel they were read
 * from: buckets by what they split on (`time`, the terms field, `filters`), metrics by
 * operation and field (`count`, `percentile:95:event.duration`, `last_value:slo.status`).
 */

/** Shape common to neutral metrics, Lens columns and Grafana metrics once normalised. */
export interface MetricShape {
  readonly kind: 'count' | 'percentile' | 'average' | 'sum' | 'max' | 'min' | 'unique_count' | 'last_value';
  readonly field?: string;
  readonly percent?: number;
}

/** Row key of a metric. */
export function metricKey(metric: MetricShape): string {
  if (metric.kind === 'count') return 'count';
  if (metric.kind === 'percentile') return `percentile:${metric.percent}:${metric.field}`;
  return `${metric.kind}:${metric.field}`;
}

/** Row key of a bucket: `time`, the terms field, or `filters`. */
export function bucketKey(bucket: { readonly kind: 'date_histogram' | 'terms' | 'filters'; readonly field?: string }): string {
  if (bucket.kind === 'date_histogram') return 'time';
  if (bucket.kind === 'filters') return 'filters';
  return bucket.field as string;
}

/** One result row: bucket keys and metric values. */
export type Row = Record<string, string | number | boolean | null>;
