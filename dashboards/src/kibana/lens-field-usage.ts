import { luceneFields, type FieldNeed, type FieldUsage } from '../field-usage.ts';
import { LENS_RECORDS_FIELD, type LensColumn } from './lens-column.ts';
import type { LensAttributes } from './lens-visualization.ts';
import type { SavedSearchAttributes } from './saved-search.ts';

const NEED_BY_OPERATION: Readonly<Record<string, FieldNeed>> = {
  date_histogram: 'date',
  terms: 'aggregatable',
  percentile: 'numeric',
  average: 'numeric',
  sum: 'numeric',
  max: 'numeric',
  min: 'numeric',
  unique_count: 'aggregatable',
  last_value: 'aggregatable',
};

/** Every field a Lens visualisation reads: column source fields, last-value sort fields, filter and panel queries. */
export function lensFieldUsages(title: string, attributes: LensAttributes): FieldUsage[] {
  const usages: FieldUsage[] = [];
  const where = `kibana lens "${title}"`;
  for (const field of luceneFields(attributes.state.query.query)) usages.push({ field, need: 'queryable', where: `${where} query` });
  for (const layer of Object.values(attributes.state.datasourceStates.formBased.layers)) {
    for (const [id, column] of Object.entries(layer.columns) as [string, LensColumn][]) {
      const at = `${where} column "${column.label}" (${column.operationType}, ${id})`;
      if (column.sourceField && column.sourceField !== LENS_RECORDS_FIELD) {
        const need = NEED_BY_OPERATION[column.operationType];
        if (!need) throw new Error(`${at}: operation ${column.operationType} has no known field requirement`);
        usages.push({ field: column.sourceField, need, where: at });
      }
      if (column.operationType === 'last_value') usages.push({ field: String(column.params?.sortField), need: 'date', where: `${at} sort` });
      if (column.operationType === 'filters') {
        for (const filter of column.params?.filters as { input: { query: string } }[]) {
          for (const field of luceneFields(filter.input.query)) usages.push({ field, need: 'queryable', where: `${at} filter` });
        }
      }
    }
  }
  return usages;
}

/** Every field a saved search reads: columns, sort and query. */
export function savedSearchFieldUsages(title: string, attributes: SavedSearchAttributes): FieldUsage[] {
  const where = `kibana search "${title}"`;
  const source = JSON.parse(attributes.kibanaSavedObjectMeta.searchSourceJSON) as { query: { query: string } };
  return [
    ...attributes.columns.map((field) => ({ field, need: 'readable' as const, where: `${where} column` })),
    ...attributes.sort.map(([field]) => ({ field, need: 'date' as const, where: `${where} sort` })),
    ...luceneFields(source.query.query).map((field) => ({ field, need: 'queryable' as const, where: `${where} query` })),
  ];
}
