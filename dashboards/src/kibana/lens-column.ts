import { toLucene } from '../condition.ts';
import type { Bucket, Metric } from '../panel.ts';
import { SOURCES, fieldSpec, type SourceId } from '../sources.ts';

/** A column of a Lens form-based layer (the subset of the format the generators write). */
export interface LensColumn {
  readonly label: string;
  readonly customLabel?: boolean;
  readonly dataType: 'number' | 'string' | 'date' | 'boolean' | 'ip';
  readonly operationType: string;
  readonly sourceField?: string;
  readonly isBucketed: boolean;
  readonly scale: 'ratio' | 'ordinal' | 'interval';
  readonly timeScale?: 's';
  readonly params?: Record<string, unknown>;
}

/** Lens's pseudo-field of the count operation. */
export const LENS_RECORDS_FIELD = '___records___';

/** Lens data type of a field of the field list. */
export function lensDataType(source: SourceId, field: string): LensColumn['dataType'] {
  const spec = fieldSpec(source, field);
  if (!spec) throw new Error(`lens column: field ${field} is not in the ${source} field list`);
  switch (spec.type) {
    case 'long':
    case 'double':
      return 'number';
    case 'date':
      return 'date';
    case 'boolean':
      return 'boolean';
    case 'ip':
      return 'ip';
    default:
      return 'string';
  }
}

/**
 * The Lens column of a bucket. `countColumnId` is the column a count-ordered terms bucket
 * sorts by (Lens orders terms by a metric column of the same layer).
 */
export function bucketColumn<S extends SourceId>(source: S, bucket: Bucket<S>, countColumnId: string | undefined): LensColumn {
  switch (bucket.kind) {
    case 'date_histogram':
      return {
        label: SOURCES[source].timeField,
        dataType: 'date',
        operationType: 'date_histogram',
        sourceField: SOURCES[source].timeField,
        isBucketed: true,
        scale: 'interval',
        params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
      };
    case 'terms': {
      if (bucket.order === 'count' && countColumnId === undefined) {
        throw new Error(`lens column: terms on ${bucket.field} ordered by count needs a count metric in the panel`);
      }
      return {
        label: bucket.label,
        customLabel: true,
        dataType: lensDataType(source, bucket.field),
        operationType: 'terms',
        sourceField: bucket.field,
        isBucketed: true,
        scale: 'ordinal',
        params: {
          size: bucket.size,
          orderBy: bucket.order === 'count' ? { type: 'column', columnId: countColumnId } : { type: 'alphabetical', fallback: false },
          orderDirection: bucket.order === 'count' ? 'desc' : 'asc',
          otherBucket: false,
          missingBucket: false,
          parentFormat: { id: 'terms' },
        },
      };
    }
    case 'filters':
      return {
        label: bucket.label,
        customLabel: true,
        dataType: 'string',
        operationType: 'filters',
        isBucketed: true,
        scale: 'ordinal',
        params: { filters: bucket.filters.map((filter) => ({ input: { query: toLucene(filter.where), language: 'lucene' }, label: filter.label })) },
      };
  }
}

/** The Lens column of a metric. */
export function metricColumn<S extends SourceId>(source: S, metric: Metric<S>): LensColumn {
  const common = { label: metric.label, customLabel: true, isBucketed: false, scale: 'ratio' } as const;
  switch (metric.kind) {
    case 'count':
      return {
        ...common,
        dataType: 'number',
        operationType: 'count',
        sourceField: LENS_RECORDS_FIELD,
        ...(metric.perSecond ? { timeScale: 's' as const } : {}),
        params: { emptyAsNull: false },
      };
    case 'percentile':
      return { ...common, dataType: 'number', operationType: 'percentile', sourceField: metric.field, params: { percentile: metric.percent } };
    case 'average':
    case 'sum':
    case 'max':
    case 'min':
    case 'unique_count':
      return { ...common, dataType: 'number', operationType: metric.kind, sourceField: metric.field, params: { emptyAsNull: true } };
    case 'last_value':
      return {
        ...common,
        dataType: lensDataType(source, metric.field),
        operationType: 'last_value',
        sourceField: metric.field,
        params: { sortField: SOURCES[source].timeField, showArrayValues: false },
      };
  }
}
