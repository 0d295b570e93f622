import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import { MappingType, ThresholdsConfigBuilder, ThresholdsMode, type Panel as GrafanaPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { GridPosition } from '../grid-layout.ts';
import type { Panel } from '../panel.ts';
import { fieldSpec, type SourceId } from '../sources.ts';
import { datasourceRef } from './datasources.ts';
import { elasticsearchTarget, type GrafanaMetricType } from './elasticsearch-target.ts';

/** Grafana units by the field list's units. */
const GRAFANA_UNITS = { ns: 'ns', ms: 'ms', bytes: 'decbytes' } as const;

/** SLO fields that are ratios (1 = 100 %). */
const RATIO_FIELDS = new Set<string>(['slo.level', 'slo.budget_remaining']);

/** The unit of a panel's values when every metric agrees on one (else none). */
function panelUnit(panel: Panel<SourceId>): string | undefined {
  if (panel.kind !== 'aggregate') return undefined;
  const units = new Set(
    panel.metrics.map((metric) => {
      if (metric.kind === 'count' || metric.kind === 'unique_count') return 'short';
      if (RATIO_FIELDS.has(metric.field)) return 'percentunit';
      const unit = fieldSpec(panel.source, metric.field)?.unit;
      return unit ? GRAFANA_UNITS[unit] : 'short';
    }),
  );
  return units.size === 1 ? [...units][0] : undefined;
}

/** Level thresholds of the SLO state machine: orange from 80 %, red from 100 %. */
function levelThresholds(): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: 0.8, color: 'orange' },
    { value: 1, color: 'red' },
  ]);
}

/** Colours of the SLO states in tables. */
const STATE_COLOURS = { GREEN: 'green', ORANGE: 'orange', RED: 'red', NODATA: 'text' } as const;

/** A built Grafana panel and the metric types its query needs restored. */
export interface GrafanaPanelParts {
  readonly builder: cog.Builder<GrafanaPanel>;
  readonly metricTypes: Readonly<Record<string, GrafanaMetricType>>;
}

/**
 * The Grafana panel of a neutral panel: timeseries for charts over time, table, pie chart,
 * stat, or a horizontal stacked bar chart; units from the field list.
 */
export function grafanaPanel(panel: Panel<SourceId>, id: number, position: GridPosition): GrafanaPanelParts {
  const target = elasticsearchTarget(panel);
  const gridPos = { x: position.x / 2, y: position.y, w: position.w / 2, h: position.h };
  const unit = panelUnit(panel);
  const legend = new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom);
  const visual = panel.kind === 'documents' ? 'table' : panel.visual;
  const usesLevel = panel.kind === 'aggregate' && panel.metrics.some((metric) => metric.kind !== 'count' && metric.field === 'slo.level');

  let builder;
  switch (visual) {
    case 'line':
    case 'area_stacked':
    case 'bar_stacked': {
      const bars = visual === 'bar_stacked';
      const stacked = visual !== 'line';
      builder = new timeseries.PanelBuilder()
        .legend(legend)
        .drawStyle(bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
        .fillOpacity(bars ? 80 : stacked ? 30 : 10)
        .lineWidth(1)
        .showPoints(common.VisibilityMode.Never)
        .stacking(new common.StackingConfigBuilder().mode(stacked ? common.StackingMode.Normal : common.StackingMode.None))
        .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
      if (usesLevel) builder.thresholds(levelThresholds()).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
      break;
    }
    case 'table':
      builder = new table.PanelBuilder().showHeader(true).cellHeight(common.TableCellHeight.Sm);
      if (panel.kind === 'aggregate' && panel.metrics.some((metric) => metric.kind === 'last_value' && metric.field === 'slo.status')) {
        builder
          .mappings([{ type: MappingType.ValueToText, options: Object.fromEntries(Object.entries(STATE_COLOURS).map(([state, color], index) => [state, { color, index }])) }])
          .overrideByName('State', [{ id: 'custom.cellOptions', value: { type: 'color-background' } }]);
      }
      break;
    case 'pie':
      builder = new piechart.PanelBuilder()
        .pieType(piechart.PieChartType.Donut)
        .reduceOptions(new common.ReduceDataOptionsBuilder().values(true).calcs(['lastNotNull']))
        .legend(new piechart.PieChartLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Right).values([piechart.PieChartLegendValues.Percent]));
      break;
    case 'metric':
      builder = new stat.PanelBuilder().reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull'])).graphMode(common.BigValueGraphMode.None);
      break;
    case 'bar_horizontal_stacked': {
      if (panel.kind !== 'aggregate' || panel.buckets.length !== 2) throw new Error(`grafana panel ${panel.key}: a stacked bar chart needs two buckets`);
      const [row, column] = panel.buckets;
      builder = new barchart.PanelBuilder()
        .orientation(common.VizOrientation.Horizontal)
        .stacking(common.StackingMode.Normal)
        .legend(legend)
        .withTransformation({
          id: 'groupingToMatrix',
          options: { rowField: row!.kind === 'terms' ? row!.field : 'Filters', columnField: column!.kind === 'terms' ? column!.field : 'Filters', valueField: 'Count' },
        });
      break;
    }
  }
  builder
    .id(id)
    .title(panel.title)
    .description(panel.description)
    .datasource(datasourceRef(panel.source))
    .gridPos(gridPos)
    .withTarget(target.query);
  if (unit) builder.unit(unit);
  if (panel.kind === 'aggregate' && visual === 'table') {
    for (const metric of panel.metrics) {
      if (metric.kind !== 'count' && RATIO_FIELDS.has(metric.field)) builder.overrideByName(metric.label, [{ id: 'unit', value: 'percentunit' }]);
    }
  }
  if (target.transformations.length > 0) builder.transformations([...target.transformations]);
  return { builder, metricTypes: target.metricTypes };
}
