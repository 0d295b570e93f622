/** A reference from one saved object to another, by type and id. */
export interface SavedObjectReference {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

/** One line of an importable NDJSON file (Kibana 8 saved objects export format). */
export interface SavedObject<A extends object = object> {
  readonly type: 'index-pattern' | 'lens' | 'search' | 'dashboard';
  readonly id: string;
  readonly attributes: A;
  readonly references: readonly SavedObjectReference[];
  readonly coreMigrationVersion: string;
  readonly typeMigrationVersion: string;
  readonly managed: false;
}

/**
 * The migration versions our documents are already in. Kibana runs only the migrations newer
 * than these on import; a Kibana older than one of them refuses the file, hence the 8.9 floor.
 */
export const MIGRATION_VERSIONS = {
  core: '8.8.0',
  'index-pattern': '8.0.0',
  lens: '8.9.0',
  search: '8.0.0',
  dashboard: '8.7.0',
} as const;

/** Oldest Kibana that imports the generated file. */
export const MINIMUM_KIBANA_VERSION = '8.9.0';
