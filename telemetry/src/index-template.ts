import { REQUEST_EVENT_FIELDS, type EsFieldType, type FieldSpec } from './fields.ts';
import {
  REQUEST_EVENTS_ILM_POLICY,
  REQUEST_EVENTS_PATTERN,
  REQUEST_EVENTS_PORTABLE_PATTERN,
} from './index-names.ts';
import { REQUEST_EVENT_SCHEMA_VERSION } from './request-event.ts';

/**
 * `production`: full ECS types, data stream, ILM. `portable`: core modules only (no wildcard,
 * match_only_text, constant_keyword, ILM or data streams), plain indices behind a write alias.
 */
export type TemplateVariant = 'production' | 'portable';

/** Mapping of one field (`type` plus its parameters). */
export interface FieldMapping {
  readonly type: string;
  readonly [parameter: string]: unknown;
}

/** Mapping of an object field. */
export interface ObjectMapping {
  readonly properties: Record<string, FieldMapping | ObjectMapping>;
}

/** The `mappings` of a request events index. */
export interface RequestEventMappings {
  readonly dynamic: 'strict';
  readonly date_detection: false;
  readonly properties: Record<string, FieldMapping | ObjectMapping>;
}

/** Body of `PUT _index_template/<REQUEST_EVENTS_TEMPLATE>`. */
export interface IndexTemplate {
  readonly index_patterns: string[];
  readonly data_stream?: Record<string, never>;
  readonly priority: number;
  readonly version: number;
  readonly _meta: {
    readonly managed_by: 'lookout';
    readonly description: string;
    readonly variant: TemplateVariant;
    readonly schema_version: number;
  };
  readonly template: {
    readonly settings: { readonly index: Record<string, unknown> };
    readonly mappings: RequestEventMappings;
  };
}

/** Options common to both variants; defaults suit a single node (replicas 0). */
export interface TemplateOptions {
  readonly indexPattern?: string;
  /** Template priority; above the built-in `logs-*-*` (100). Default 200. */
  readonly priority?: number;
  /** Default 1. */
  readonly shards?: number;
  /** Default 0, so that a single-node cluster stays green; raise it in production. */
  readonly replicas?: number;
  /** Default `5s`: events are append-only and SLO ticks tolerate seconds; `1s` costs indexing throughput. */
  readonly refreshInterval?: string;
}

/** Options of {@link productionTemplate}. */
export interface ProductionTemplateOptions extends TemplateOptions {
  /** ILM policy name; `null` for none. Default {@link REQUEST_EVENTS_ILM_POLICY}. */
  readonly ilmPolicy?: string | null;
}

const PRODUCTION_TYPES: Record<EsFieldType, FieldMapping> = {
  date: { type: 'date' },
  keyword: { type: 'keyword', ignore_above: 1024 },
  constant_keyword: { type: 'constant_keyword' },
  wildcard: { type: 'wildcard' },
  text: { type: 'text' },
  match_only_text: { type: 'match_only_text' },
  long: { type: 'long' },
  double: { type: 'double' },
  boolean: { type: 'boolean' },
  ip: { type: 'ip' },
};

/**
 * Core stand-ins: `keyword` for wildcard (8191 characters keeps any term under Lucene's
 * 32766-byte limit), `text` without norms for match_only_text, plain keyword for constants.
 */
const PORTABLE_TYPES: Record<EsFieldType, FieldMapping> = {
  ...PRODUCTION_TYPES,
  wildcard: { type: 'keyword', ignore_above: 8191 },
  match_only_text: { type: 'text', norms: false },
  constant_keyword: { type: 'keyword', ignore_above: 1024 },
};

const TYPES_BY_VARIANT: Record<TemplateVariant, Record<EsFieldType, FieldMapping>> = {
  production: PRODUCTION_TYPES,
  portable: PORTABLE_TYPES,
};

function fieldMapping(spec: FieldSpec, types: Record<EsFieldType, FieldMapping>): FieldMapping {
  const mapping: Record<string, unknown> = { ...types[spec.type] };
  if (mapping.type === 'constant_keyword' && spec.value !== undefined) mapping.value = spec.value;
  if (spec.multiFields) {
    const fields: Record<string, FieldMapping> = {};
    for (const [name, type] of Object.entries(spec.multiFields)) fields[name] = { ...types[type] };
    mapping.fields = fields;
  }
  return mapping as FieldMapping;
}

/**
 * Mappings generated from {@link REQUEST_EVENT_FIELDS}, nested as Elasticsearch stores them.
 * Also the body of `PUT <target>/_mapping` when a new schema version adds fields to an
 * existing write index.
 *
 * `dynamic: 'strict'`: a field not in the contract makes Elasticsearch reject the document
 * with `strict_dynamic_mapping_exception`, which the pipeline counts as dropped by reason.
 * With `false` it would be stored unindexed and the drift would go unnoticed until a
 * dashboard showed nothing. The price is ordering: install the template (or put the mapping)
 * before deploying a proxy that writes new fields.
 */
export function requestEventMappings(variant: TemplateVariant): RequestEventMappings {
  return mappingsFromFields(REQUEST_EVENT_FIELDS, variant);
}

/** Strict mappings of any field list (dotted paths to {@link FieldSpec}), nested as Elasticsearch stores them. */
export function mappingsFromFields(fields: Readonly<Record<string, FieldSpec>>, variant: TemplateVariant): RequestEventMappings {
  const types = TYPES_BY_VARIANT[variant];
  const root: Record<string, FieldMapping | ObjectMapping> = {};
  for (const [path, spec] of Object.entries(fields)) {
    const segments = path.split('.');
    const leaf = segments.pop() as string;
    let properties = root;
    for (const segment of segments) {
      const node = (properties[segment] ??= { properties: {} });
      if ('type' in node) throw new Error(`field ${path}: ${segment} is both a leaf and an object`);
      properties = (node as ObjectMapping).properties;
    }
    properties[leaf] = fieldMapping(spec, types);
  }
  return { dynamic: 'strict', date_detection: false, properties: root };
}

function build(variant: TemplateVariant, indexPattern: string, options: TemplateOptions, extraSettings: Record<string, unknown>) {
  return {
    index_patterns: [options.indexPattern ?? indexPattern],
    priority: options.priority ?? 200,
    version: REQUEST_EVENT_SCHEMA_VERSION,
    _meta: {
      managed_by: 'lookout',
      description: `lookout request events (${variant})`,
      variant,
      schema_version: REQUEST_EVENT_SCHEMA_VERSION,
    },
    template: {
      settings: {
        index: {
          number_of_shards: options.shards ?? 1,
          number_of_replicas: options.replicas ?? 0,
          refresh_interval: options.refreshInterval ?? '5s',
          ...extraSettings,
        },
      },
      mappings: requestEventMappings(variant),
    },
  } as const satisfies IndexTemplate;
}

/**
 * Template for a full Elasticsearch (default distribution): creates the data stream
 * `lookout-requests` on first write, ILM rolls and deletes its backing indices.
 * @example await es.indices.putIndexTemplate({ name: REQUEST_EVENTS_TEMPLATE, ...productionTemplate() })
 */
export function productionTemplate(options: ProductionTemplateOptions = {}): IndexTemplate {
  const policy = options.ilmPolicy === undefined ? REQUEST_EVENTS_ILM_POLICY : options.ilmPolicy;
  return {
    ...build('production', REQUEST_EVENTS_PATTERN, options, policy === null ? {} : { lifecycle: { name: policy } }),
    data_stream: {},
  };
}

/**
 * Template for an Elasticsearch with core modules only: plain indices `lookout-requests-NNNNNN`
 * behind the write alias `lookout-requests` (see `bootstrapIndexBody`, `rolloverRequestBody`).
 */
export function portableTemplate(options: TemplateOptions = {}): IndexTemplate {
  return build('portable', REQUEST_EVENTS_PORTABLE_PATTERN, options, {});
}
