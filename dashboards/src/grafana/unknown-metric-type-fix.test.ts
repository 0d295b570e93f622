import { describe, expect, it } from 'vitest';
import { DASHBOARD_SPECS } from '../dashboard-specs.ts';
import { grafanaDashboard } from './dashboard.ts';
import { UnknownMetricTypeError, fixUnknownMetricTypes } from './unknown-metric-type-fix.ts';

describe('fixUnknownMetricTypes', () => {
  it('restores the recorded type of every "unknown" metric', () => {
    const dashboard = { panels: [{ id: 3, targets: [{ refId: 'A', metrics: [{ id: '1', type: 'unknown' as unknown }, { id: '2', type: 'unknown' as unknown }] }] }] };
    fixUnknownMetricTypes(dashboard, new Map([[3, { '1': 'percentiles', '2': 'count' }]]));
    expect(dashboard.panels[0]!.targets[0]!.metrics.map((metric) => metric.type)).toEqual(['percentiles', 'count']);
  });

  it('names the panel and metric when no type was recorded', () => {
    const dashboard = { panels: [{ id: 7, title: 'Bytes', targets: [{ refId: 'A', metrics: [{ id: '4', type: 'unknown' as unknown }] }] }] };
    expect(() => fixUnknownMetricTypes(dashboard, new Map())).toThrow(UnknownMetricTypeError);
    expect(() => fixUnknownMetricTypes(dashboard, new Map())).toThrow(/panel 7 "Bytes", query A: metric 4/);
  });

  it('leaves no "unknown" metric type in any generated dashboard', () => {
    for (const spec of DASHBOARD_SPECS) {
      const json = JSON.stringify(grafanaDashboard(spec));
      expect(json).not.toMatch(/"type":\s*"unknown"/);
      const types = (grafanaDashboard(spec).panels ?? []).flatMap((panel) => ((panel as { targets?: { metrics?: { type: string }[] }[] }).targets ?? []).flatMap((target) => (target.metrics ?? []).map((metric) => metric.type)));
      expect(types.length).toBeGreaterThan(0);
      for (const type of types) expect(['count', 'percentiles', 'avg', 'sum', 'max', 'min', 'cardinality', 'raw_data']).toContain(type);
    }
  });
});
