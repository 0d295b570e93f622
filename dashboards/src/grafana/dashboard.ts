import { DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { layOut } from '../grid-layout.ts';
import type { DashboardSpec } from '../panel.ts';
import { grafanaPanel } from './panel.ts';
import { fixUnknownMetricTypes } from './unknown-metric-type-fix.ts';

/** Uid of a dashboard's Grafana version (stable, at most 40 characters). */
export function grafanaDashboardUid(spec: DashboardSpec): string {
  return `lookout-${spec.key}`;
}

/**
 * The Grafana dashboard JSON of a spec, built with the foundation SDK, metric types fixed
 * (see `fixUnknownMetricTypes`), ready for file provisioning.
 */
export function grafanaDashboard(spec: DashboardSpec): Dashboard {
  const positions = layOut(spec.panels);
  const builder = new DashboardBuilder(spec.title)
    .uid(grafanaDashboardUid(spec))
    .description(spec.description)
    .tags(['lookout'])
    .time({ from: spec.from, to: 'now' })
    .refresh(spec.refresh)
    .timezone('browser')
    .readonly();
  const types = new Map<number, Readonly<Record<string, string>>>();
  spec.panels.forEach((panel, index) => {
    const id = index + 1;
    const parts = grafanaPanel(panel, id, positions[index]!);
    builder.withPanel(parts.builder);
    types.set(id, parts.metricTypes);
  });
  return fixUnknownMetricTypes(builder.build(), types);
}
