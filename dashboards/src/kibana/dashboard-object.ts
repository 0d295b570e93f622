import { layOut } from '../grid-layout.ts';
import type { DashboardSpec } from '../panel.ts';
import { stableId } from '../stable-id.ts';
import { lensId } from './lens-visualization.ts';
import { MIGRATION_VERSIONS, type SavedObject, type SavedObjectReference } from './saved-object.ts';
import { savedSearchId } from './saved-search.ts';

/** A by-reference panel of `panelsJSON`. */
export interface DashboardPanelJson {
  readonly version: string;
  readonly type: 'lens' | 'search';
  readonly gridData: { readonly x: number; readonly y: number; readonly w: number; readonly h: number; readonly i: string };
  readonly panelIndex: string;
  readonly embeddableConfig: Record<string, unknown>;
  readonly panelRefName: string;
}

/** Id of a dashboard saved object. */
export function dashboardId(spec: DashboardSpec): string {
  return stableId(`dashboard:${spec.key}`);
}

/** Milliseconds of a refresh setting such as `30s` or `1m`. */
function refreshMilliseconds(refresh: string): number {
  const match = /^(\d+)(s|m)$/.exec(refresh);
  if (!match) throw new Error(`dashboard: refresh ${refresh} is not <n>s or <n>m`);
  return Number(match[1]) * (match[2] === 'm' ? 60_000 : 1_000);
}

/**
 * The `dashboard` saved object: every panel by reference (`<panelIndex>:panel_<panelIndex>`)
 * to its Lens visualisation or saved search, laid out in reading order.
 */
export function dashboardObject(spec: DashboardSpec): SavedObject {
  const positions = layOut(spec.panels);
  const panels: DashboardPanelJson[] = [];
  const references: SavedObjectReference[] = [];
  spec.panels.forEach((panel, index) => {
    const panelIndex = stableId(`dashboard-panel:${spec.key}/${panel.key}`);
    const position = positions[index]!;
    const type = panel.kind === 'aggregate' ? 'lens' : 'search';
    panels.push({
      version: MIGRATION_VERSIONS.dashboard,
      type,
      gridData: { ...position, i: panelIndex },
      panelIndex,
      embeddableConfig: { enhancements: {} },
      panelRefName: `panel_${panelIndex}`,
    });
    references.push({
      type,
      id: type === 'lens' ? lensId(spec.key, panel.key) : savedSearchId(spec.key, panel.key),
      name: `${panelIndex}:panel_${panelIndex}`,
    });
  });
  return {
    type: 'dashboard',
    id: dashboardId(spec),
    attributes: {
      title: spec.title,
      description: spec.description,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: true, syncCursor: true, syncTooltips: true, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: spec.from,
      timeTo: 'now',
      refreshInterval: { pause: false, value: refreshMilliseconds(spec.refresh) },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    references,
    coreMigrationVersion: MIGRATION_VERSIONS.core,
    typeMigrationVersion: MIGRATION_VERSIONS.dashboard,
    managed: false,
  };
}
