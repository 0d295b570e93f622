import { describe, expect, it } from 'vitest';
import { REQUEST_EVENT_FIELDS, type EsFieldType, type FieldSpec } from './fields.ts';
import { REQUEST_EVENTS_PATTERN, REQUEST_EVENTS_PORTABLE_PATTERN } from './index-names.ts';
import {
  portableTemplate,
  productionTemplate,
  requestEventMappings,
  type FieldMapping,
  type IndexTemplate,
  type ObjectMapping,
} from './index-template.ts';

/** The leaf mapping at a dotted path, walking `properties`. */
function mappingAt(template: IndexTemplate, path: string): FieldMapping | undefined {
  let node: FieldMapping | ObjectMapping | undefined = { properties: template.template.mappings.properties };
  for (const segment of path.split('.')) node = node && 'properties' in node ? (node as ObjectMapping).properties[segment] : undefined;
  return node && 'type' in node ? (node as FieldMapping) : undefined;
}

/** Dotted paths of every leaf mapping. */
function mappedPaths(properties: Record<string, FieldMapping | ObjectMapping>, prefix = ''): string[] {
  return Object.entries(properties).flatMap(([key, node]) =>
    'type' in node ? [prefix + key] : mappedPaths((node as ObjectMapping).properties, prefix + key + '.'),
  );
}

/** Types an Elasticsearch with core modules only has in place of the ECS ones. */
const CORE_STAND_IN: Partial<Record<EsFieldType, string>> = {
  wildcard: 'keyword',
  match_only_text: 'text',
  constant_keyword: 'keyword',
};

const fields: [string, FieldSpec][] = Object.entries(REQUEST_EVENT_FIELDS);
const production = productionTemplate();
const portable = portableTemplate();

describe('index templates', () => {
  it('map every field of the list with its ECS type in production', () => {
    for (const [path, spec] of fields) {
      expect(mappingAt(production, path)?.type, path).toBe(spec.type);
      for (const [name, type] of Object.entries(spec.multiFields ?? {})) {
        expect(mappingAt(production, path)?.fields, path).toMatchObject({ [name]: { type } });
      }
    }
  });

  it('map every field of the list with a core type in the portable variant', () => {
    for (const [path, spec] of fields) {
      expect(mappingAt(portable, path)?.type, path).toBe(CORE_STAND_IN[spec.type] ?? spec.type);
      for (const [name, type] of Object.entries(spec.multiFields ?? {})) {
        expect(mappingAt(portable, path)?.fields, path).toMatchObject({ [name]: { type: CORE_STAND_IN[type] ?? type } });
      }
    }
  });

  it('map nothing that is not in the field list', () => {
    const listed = Object.keys(REQUEST_EVENT_FIELDS).sort();
    expect(mappedPaths(production.template.mappings.properties).sort()).toEqual(listed);
    expect(mappedPaths(portable.template.mappings.properties).sort()).toEqual(listed);
  });

  it('survive a JSON round trip with the expected top-level keys', () => {
    expect(JSON.parse(JSON.stringify(production))).toEqual(production);
    expect(JSON.parse(JSON.stringify(portable))).toEqual(portable);
    expect(Object.keys(production).sort()).toEqual(['_meta', 'data_stream', 'index_patterns', 'priority', 'template', 'version']);
    expect(Object.keys(portable).sort()).toEqual(['_meta', 'index_patterns', 'priority', 'template', 'version']);
    expect(Object.keys(production.template).sort()).toEqual(['mappings', 'settings']);
  });

  it('reject unknown fields loudly and never guess dates', () => {
    for (const template of [production, portable]) {
      expect(template.template.mappings).toMatchObject({ dynamic: 'strict', date_detection: false });
    }
  });

  it('make production a data stream with an ILM policy and a constant event.dataset', () => {
    expect(production.index_patterns).toEqual([REQUEST_EVENTS_PATTERN]);
    expect(production.data_stream).toEqual({});
    expect(production.template.settings.index).toMatchObject({ lifecycle: { name: 'lookout-requests' } });
    expect(mappingAt(production, 'event.dataset')).toEqual({ type: 'constant_keyword', value: 'lookout.request' });
    expect(mappingAt(production, 'url.original')).toEqual({ type: 'wildcard', fields: { text: { type: 'match_only_text' } } });
  });

  it('keep the portable variant free of anything beyond core modules', () => {
    const json = JSON.stringify(portable);
    for (const feature of ['wildcard', 'match_only_text', 'constant_keyword', 'lifecycle', 'data_stream']) {
      expect(json, feature).not.toContain(feature);
    }
    expect(portable.index_patterns).toEqual([REQUEST_EVENTS_PORTABLE_PATTERN]);
    expect(mappingAt(portable, 'url.original')).toEqual({
      type: 'keyword',
      ignore_above: 8191,
      fields: { text: { type: 'text', norms: false } },
    });
  });

  it('default to a single-node friendly index and take overrides', () => {
    expect(portable.template.settings.index).toEqual({ number_of_shards: 1, number_of_replicas: 0, refresh_interval: '5s' });
    const custom = productionTemplate({ indexPattern: 'lookout-staging*', replicas: 1, shards: 2, refreshInterval: '1s', priority: 300, ilmPolicy: null });
    expect(custom.index_patterns).toEqual(['lookout-staging*']);
    expect(custom.priority).toBe(300);
    expect(custom.template.settings.index).toEqual({ number_of_shards: 2, number_of_replicas: 1, refresh_interval: '1s' });
    expect(productionTemplate({ ilmPolicy: 'short' }).template.settings.index).toMatchObject({ lifecycle: { name: 'short' } });
  });

  it('share one mapping builder with the template, for putting mappings on a live write index', () => {
    expect(requestEventMappings('portable')).toEqual(portable.template.mappings);
    expect(requestEventMappings('production')).toEqual(production.template.mappings);
  });
});
