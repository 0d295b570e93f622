import type { SavedSearchAttributes } from '../kibana/saved-search.ts';
import type { Row } from '../row-key.ts';
import type { PanelSearch } from './lens-request.ts';
import { windowQuery, type SearchWindow } from './search-window.ts';

/** Kibana's default `discover:sampleSize`: how many documents a saved search panel loads. */
export const DISCOVER_SAMPLE_SIZE = 500;

/** The search Discover runs for a saved search: its query, its sort, the sample size; rows hold the time field and the columns. */
export function savedSearchSearch(attributes: SavedSearchAttributes, timeField: string, window: SearchWindow): PanelSearch {
  const source = JSON.parse(attributes.kibanaSavedObjectMeta.searchSourceJSON) as { query: { query: string } };
  const body = {
    size: DISCOVER_SAMPLE_SIZE,
    query: windowQuery(timeField, window, source.query.query),
    sort: attributes.sort.map(([field, order]) => ({ [field]: { order, unmapped_type: 'boolean' } })),
    _source: false,
    fields: [timeField, ...attributes.columns],
  };
  return {
    body,
    rows: (response) =>
      response.hits.hits.map((hit) => Object.fromEntries([timeField, ...attributes.columns].map((field) => [field, (hit.fields?.[field]?.[0] as Row[string] | undefined) ?? null]))),
  };
}
