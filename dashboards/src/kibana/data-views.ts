import { SLO_STATUS_FIELDS, type FieldSpec } from '@lookout/telemetry';
import { SOURCE_IDS, SOURCES, type FieldOf, type SourceId } from '../sources.ts';
import { stableId } from '../stable-id.ts';
import { MIGRATION_VERSIONS, type SavedObject } from './saved-object.ts';

/** SLO fields that are ratios (1 = 100 %), shown as percentages. */
const PERCENT_FIELDS: readonly FieldOf<'sloStatus'>[] = ['slo.level', 'slo.budget_remaining', 'slo.objective'];

/** Kibana field formats by unit of the field list (`duration` converts to milliseconds). */
function fieldFormat(spec: FieldSpec): Record<string, unknown> | undefined {
  switch (spec.unit) {
    case 'ns':
      return { id: 'duration', params: { inputFormat: 'nanoseconds', outputFormat: 'asMilliseconds', outputPrecision: 2, showSuffix: true, includeSpaceWithSuffix: true } };
    case 'ms':
      return { id: 'duration', params: { inputFormat: 'milliseconds', outputFormat: 'asMilliseconds', outputPrecision: 2, showSuffix: true, includeSpaceWithSuffix: true } };
    case 'bytes':
      return { id: 'bytes' };
    default:
      return undefined;
  }
}

/** Id of the data view of a source (stable: derived from its index pattern). */
export function dataViewId(source: SourceId): string {
  return stableId(`data-view:${SOURCES[source].indexPattern}`);
}

/** The `index-pattern` saved object of one source, with formats for units and ratios. */
export function dataView(source: SourceId): SavedObject {
  const { indexPattern, timeField, title, fields } = SOURCES[source];
  const formats: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(fields as Readonly<Record<string, FieldSpec>>)) {
    const format = fieldFormat(spec);
    if (format) formats[field] = format;
  }
  if (fields === SLO_STATUS_FIELDS) {
    for (const field of PERCENT_FIELDS) formats[field] = { id: 'percent', params: { pattern: '0.[00]%' } };
  }
  return {
    type: 'index-pattern',
    id: dataViewId(source),
    attributes: {
      title: indexPattern,
      name: title,
      timeFieldName: timeField,
      allowNoIndex: true,
      fieldFormatMap: JSON.stringify(formats),
      fields: '[]',
      runtimeFieldMap: '{}',
      fieldAttrs: '{}',
      typeMeta: '{}',
    },
    references: [],
    coreMigrationVersion: MIGRATION_VERSIONS.core,
    typeMigrationVersion: MIGRATION_VERSIONS['index-pattern'],
    managed: false,
  };
}

/** Data views of every source, in {@link SOURCES} order. */
export function dataViews(): SavedObject[] {
  return SOURCE_IDS.map(dataView);
}
