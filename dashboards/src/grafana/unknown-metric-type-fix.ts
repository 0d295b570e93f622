/**
 * The foundation SDK's metric aggregation builders (count, percentiles, avg, raw_data, ...)
 * emit `"type": "unknown"` (their defaults carry no type, and there is no setter). Grafana
 * would not run such a query, so the built JSON gets the real type back from what the
 * generator recorded per panel and metric id.
 */

/** A metric the generator built but recorded no type for. */
export class UnknownMetricTypeError extends Error {
  readonly code = 'DASHBOARDS_GRAFANA_UNKNOWN_METRIC_TYPE';

  constructor(message: string) {
    super(message);
    this.name = 'UnknownMetricTypeError';
  }
}

interface BuiltPanel {
  id?: number;
  title?: string;
  targets?: { refId?: string; metrics?: { id: string; type: unknown }[] }[];
}

/**
 * Replaces every `"unknown"` metric type in a built dashboard, in place, with the type
 * recorded under `types[panelId][metricId]`; throws {@link UnknownMetricTypeError} naming the
 * panel and metric when one is missing. Returns the dashboard.
 */
export function fixUnknownMetricTypes<D extends { panels?: unknown[] }>(dashboard: D, types: ReadonlyMap<number, Readonly<Record<string, string>>>): D {
  for (const panel of (dashboard.panels ?? []) as BuiltPanel[]) {
    for (const target of panel.targets ?? []) {
      for (const metric of target.metrics ?? []) {
        if (metric.type !== 'unknown') continue;
        const type = panel.id === undefined ? undefined : types.get(panel.id)?.[metric.id];
        if (type === undefined) {
          throw new UnknownMetricTypeError(`grafana panel ${panel.id ?? '?'} "${panel.title ?? ''}", query ${target.refId ?? '?'}: metric ${metric.id} has type "unknown" and no recorded type`);
        }
        metric.type = type;
      }
    }
  }
  return dashboard;
}
