import { toLucene } from '../condition.ts';
import type { AggregatePanel, Visual } from '../panel.ts';
import type { SourceId } from '../sources.ts';
import { stableId } from '../stable-id.ts';
import { dataViewId } from './data-views.ts';
import { bucketColumn, metricColumn, type LensColumn } from './lens-column.ts';
import { MIGRATION_VERSIONS, type SavedObject } from './saved-object.ts';

/** Attributes of a `lens` saved object (form-based datasource, one data layer). */
export interface LensAttributes {
  readonly title: string;
  readonly description: string;
  readonly visualizationType: 'lnsXY' | 'lnsDatatable' | 'lnsPie' | 'lnsMetric';
  readonly state: {
    readonly visualization: Record<string, unknown>;
    readonly query: { readonly query: string; readonly language: 'lucene' };
    readonly filters: readonly unknown[];
    readonly datasourceStates: {
      readonly formBased: {
        readonly layers: Record<string, { readonly columns: Record<string, LensColumn>; readonly columnOrder: readonly string[]; readonly incompleteColumns: Record<string, never> }>;
      };
    };
    readonly internalReferences: readonly unknown[];
    readonly adHocDataViews: Record<string, never>;
  };
}

/** Name of the reference from a Lens layer to its data view. */
export function layerReferenceName(layerId: string): string {
  return `indexpattern-datasource-layer-${layerId}`;
}

/** Id of the Lens visualisation of a panel. */
export function lensId(dashboardKey: string, panelKey: string): string {
  return stableId(`lens:${dashboardKey}/${panelKey}`);
}

const XY_SERIES: Partial<Record<Visual, string>> = {
  line: 'line',
  area_stacked: 'area_stacked',
  bar_stacked: 'bar_stacked',
  bar_horizontal_stacked: 'bar_horizontal_stacked',
};

function visualization(panel: AggregatePanel, layerId: string, bucketIds: string[], metricIds: string[]): Pick<LensAttributes, 'visualizationType'> & { visualization: Record<string, unknown> } {
  const layer = { layerId, layerType: 'data' };
  const seriesType = XY_SERIES[panel.visual];
  if (seriesType) {
    const dateIndex = panel.buckets.findIndex((bucket) => bucket.kind === 'date_histogram');
    const xIndex = dateIndex >= 0 ? dateIndex : 0;
    const split = bucketIds.filter((_, index) => index !== xIndex);
    if (split.length > 1) throw new Error(`lens: panel ${panel.key} has more than one split besides its x axis`);
    return {
      visualizationType: 'lnsXY',
      visualization: {
        legend: { isVisible: true, position: 'right', legendSize: 'auto' },
        valueLabels: 'hide',
        fittingFunction: 'None',
        preferredSeriesType: seriesType,
        axisTitlesVisibilitySettings: { x: false, yLeft: false, yRight: true },
        tickLabelsVisibilitySettings: { x: true, yLeft: true, yRight: true },
        gridlinesVisibilitySettings: { x: true, yLeft: true, yRight: true },
        yLeftExtent: { mode: 'full' },
        layers: [
          {
            ...layer,
            seriesType,
            xAccessor: bucketIds[xIndex],
            ...(split[0] ? { splitAccessor: split[0] } : {}),
            accessors: metricIds,
          },
        ],
      },
    };
  }
  switch (panel.visual) {
    case 'table':
      return {
        visualizationType: 'lnsDatatable',
        visualization: { ...layer, columns: [...bucketIds, ...metricIds].map((columnId) => ({ columnId, isTransposed: false })) },
      };
    case 'pie':
      return {
        visualizationType: 'lnsPie',
        visualization: {
          shape: 'donut',
          layers: [{ ...layer, primaryGroups: bucketIds, metrics: metricIds, numberDisplay: 'percent', categoryDisplay: 'default', legendDisplay: 'default', nestedLegend: false }],
        },
      };
    case 'metric':
      if (bucketIds.length > 0 || metricIds.length !== 1) throw new Error(`lens: metric panel ${panel.key} needs exactly one metric and no bucket`);
      return { visualizationType: 'lnsMetric', visualization: { ...layer, metricAccessor: metricIds[0] } };
    default:
      throw new Error(`lens: panel ${panel.key} has unsupported visual ${panel.visual}`);
  }
}

/** The `lens` saved object of an aggregate panel, referencing its source's data view by id. */
export function lensVisualization(dashboardKey: string, panel: AggregatePanel<SourceId>): SavedObject<LensAttributes> {
  const base = `${dashboardKey}/${panel.key}`;
  const layerId = stableId(`lens-layer:${base}`);
  const bucketIds = panel.buckets.map((_, index) => stableId(`lens-column:${base}/bucket/${index}`));
  const metricIds = panel.metrics.map((_, index) => stableId(`lens-column:${base}/metric/${index}`));
  const countIndex = panel.metrics.findIndex((metric) => metric.kind === 'count');
  const countColumnId = countIndex >= 0 ? metricIds[countIndex] : undefined;
  const columns: Record<string, LensColumn> = {};
  panel.buckets.forEach((bucket, index) => (columns[bucketIds[index]!] = bucketColumn(panel.source, bucket, countColumnId)));
  panel.metrics.forEach((metric, index) => (columns[metricIds[index]!] = metricColumn(panel.source, metric)));
  const { visualizationType, visualization: visualizationState } = visualization(panel, layerId, bucketIds, metricIds);
  return {
    type: 'lens',
    id: lensId(dashboardKey, panel.key),
    attributes: {
      title: panel.title,
      description: panel.description,
      visualizationType,
      state: {
        visualization: visualizationState,
        query: { query: panel.where ? toLucene(panel.where) : '', language: 'lucene' },
        filters: [],
        datasourceStates: { formBased: { layers: { [layerId]: { columns, columnOrder: [...bucketIds, ...metricIds], incompleteColumns: {} } } } },
        internalReferences: [],
        adHocDataViews: {},
      },
    },
    references: [{ type: 'index-pattern', id: dataViewId(panel.source), name: layerReferenceName(layerId) }],
    coreMigrationVersion: MIGRATION_VERSIONS.core,
    typeMigrationVersion: MIGRATION_VERSIONS.lens,
    managed: false,
  };
}
