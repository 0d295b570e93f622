import type { DashboardSpec } from '../panel.ts';
import { dashboardObject } from './dashboard-object.ts';
import { dataViews } from './data-views.ts';
import { lensVisualization } from './lens-visualization.ts';
import type { SavedObject } from './saved-object.ts';
import { savedSearch } from './saved-search.ts';

/**
 * Every saved object of the dashboards, referenced objects first (data views, then each
 * dashboard's visualisations and searches, then the dashboard), as Kibana's export orders them.
 */
export function kibanaSavedObjects(specs: readonly DashboardSpec[]): SavedObject[] {
  const objects: SavedObject[] = dataViews();
  for (const spec of specs) {
    for (const panel of spec.panels) {
      objects.push(panel.kind === 'aggregate' ? lensVisualization(spec.key, panel) : savedSearch(spec.key, panel));
    }
    objects.push(dashboardObject(spec));
  }
  return objects;
}

/** One JSON document per line, newline-terminated: the format of Saved objects > Import. */
export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((object) => JSON.stringify(object)).join('\n') + '\n';
}
