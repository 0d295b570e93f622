import { luceneFields, type FieldNeed, type FieldUsage } from '../field-usage.ts';
import type { GrafanaTargetJson, GrafanaTransformation } from '../elasticsearch/grafana-request.ts';

const NEED_BY_METRIC: Readonly<Record<string, FieldNeed>> = {
  percentiles: 'numeric',
  avg: 'numeric',
  sum: 'numeric',
  max: 'numeric',
  min: 'numeric',
  cardinality: 'aggregatable',
};

const NEED_BY_BUCKET: Readonly<Record<string, FieldNeed>> = { date_histogram: 'date', terms: 'aggregatable' };

/** A built Grafana panel, as far as field use goes. */
export interface GrafanaPanelJson {
  readonly title?: string;
  readonly targets?: readonly GrafanaTargetJson[];
  readonly transformations?: readonly GrafanaTransformation[];
}

/** Every field a Grafana panel reads: time field, bucket and metric fields, queries, and fields its transformations pick. */
export function grafanaFieldUsages(panel: GrafanaPanelJson): FieldUsage[] {
  const where = `grafana panel "${panel.title ?? ''}"`;
  const usages: FieldUsage[] = [];
  for (const target of panel.targets ?? []) {
    if (target.timeField) usages.push({ field: target.timeField, need: 'date', where: `${where} time field` });
    for (const field of luceneFields(target.query ?? '')) usages.push({ field, need: 'queryable', where: `${where} query` });
    for (const bucket of target.bucketAggs ?? []) {
      const at = `${where} bucket ${bucket.id} (${bucket.type})`;
      if (bucket.type === 'filters') {
        for (const filter of bucket.settings?.filters as { query: string }[]) for (const field of luceneFields(filter.query)) usages.push({ field, need: 'queryable', where: at });
        continue;
      }
      const need = NEED_BY_BUCKET[bucket.type];
      if (!need || !bucket.field) throw new Error(`${at}: no known field requirement`);
      usages.push({ field: bucket.field, need, where: at });
    }
    for (const metric of target.metrics ?? []) {
      if (metric.type === 'count' || metric.type === 'raw_data') continue;
      const need = NEED_BY_METRIC[metric.type];
      if (!need || !metric.field) throw new Error(`${where} metric ${metric.id} (${metric.type}): no known field requirement`);
      usages.push({ field: metric.field, need, where: `${where} metric ${metric.id} (${metric.type})` });
    }
  }
  for (const transformation of panel.transformations ?? []) {
    const at = `${where} transformation ${transformation.id}`;
    if (transformation.id === 'groupBy') {
      for (const field of Object.keys(transformation.options.fields as object)) usages.push({ field, need: 'readable', where: at });
    } else if (transformation.id === 'sortBy') {
      for (const sort of transformation.options.sort as { field: string }[]) usages.push({ field: sort.field, need: 'readable', where: at });
    } else if (transformation.id === 'filterFieldsByName') {
      for (const field of (transformation.options.include as { names: string[] }).names) usages.push({ field, need: 'readable', where: at });
    }
  }
  return usages;
}
