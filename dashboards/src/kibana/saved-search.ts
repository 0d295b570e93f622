import { toLucene } from '../condition.ts';
import type { DocumentsPanel } from '../panel.ts';
import { SOURCES, type SourceId } from '../sources.ts';
import { stableId } from '../stable-id.ts';
import { dataViewId } from './data-views.ts';
import { MIGRATION_VERSIONS, type SavedObject } from './saved-object.ts';

/** Name of the reference from a saved search to its data view. */
export const SEARCH_INDEX_REFERENCE = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** Attributes of a `search` saved object (a Discover document table). */
export interface SavedSearchAttributes {
  readonly title: string;
  readonly description: string;
  readonly columns: readonly string[];
  readonly sort: readonly (readonly [string, 'desc' | 'asc'])[];
  readonly kibanaSavedObjectMeta: { readonly searchSourceJSON: string };
}

/** Id of the saved search of a panel. */
export function savedSearchId(dashboardKey: string, panelKey: string): string {
  return stableId(`search:${dashboardKey}/${panelKey}`);
}

/**
 * The `search` saved object of a documents panel: newest first; how many rows Discover loads
 * is Kibana's `discover:sampleSize` setting (500 by default).
 */
export function savedSearch(dashboardKey: string, panel: DocumentsPanel<SourceId>): SavedObject<SavedSearchAttributes> {
  const searchSource = {
    query: { query: panel.where ? toLucene(panel.where) : '', language: 'lucene' },
    filter: [],
    indexRefName: SEARCH_INDEX_REFERENCE,
  };
  return {
    type: 'search',
    id: savedSearchId(dashboardKey, panel.key),
    attributes: {
      title: panel.title,
      description: panel.description,
      columns: [...panel.columns],
      sort: [[SOURCES[panel.source].timeField, 'desc']],
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [{ type: 'index-pattern', id: dataViewId(panel.source), name: SEARCH_INDEX_REFERENCE }],
    coreMigrationVersion: MIGRATION_VERSIONS.core,
    typeMigrationVersion: MIGRATION_VERSIONS.search,
    managed: false,
  };
}
