import type { Condition } from './condition.ts';
import type { FieldOf, SourceId } from './sources.ts';

/**
 * The tool-neutral description of a panel. Kibana (Lens) and Grafana panels are generated from
 * it, and the tests derive Elasticsearch aggregations from the generated panels and expected
 * numbers from it.
 */

/** Splits documents into buckets; the first bucket is the outermost. */
export type Bucket<S extends SourceId> =
  /** Over the source's time field; the interval follows the time range (auto). */
  | { readonly kind: 'date_histogram' }
  | {
      readonly kind: 'terms';
      readonly field: FieldOf<S>;
      readonly size: number;
      /** `count`: most documents first; `alphabetical`: by key, ascending. */
      readonly order: 'count' | 'alphabetical';
      readonly label: string;
    }
  | { readonly kind: 'filters'; readonly label: string; readonly filters: readonly { readonly label: string; readonly where: Condition<S> }[] };

/** A value computed per bucket. */
export type Metric<S extends SourceId> =
  /** Documents; `perSecond` divides by the bucket's length where the tool can (Kibana's time scale). */
  | { readonly kind: 'count'; readonly label: string; readonly perSecond?: boolean }
  | { readonly kind: 'percentile'; readonly field: FieldOf<S>; readonly percent: number; readonly label: string }
  | { readonly kind: 'average' | 'sum' | 'max' | 'min'; readonly field: FieldOf<S>; readonly label: string }
  | { readonly kind: 'unique_count'; readonly field: FieldOf<S>; readonly label: string }
  /** The value of the most recent document (by the source's time field). */
  | { readonly kind: 'last_value'; readonly field: FieldOf<S>; readonly label: string };

/** How a panel draws its rows. */
export type Visual = 'line' | 'area_stacked' | 'bar_stacked' | 'bar_horizontal_stacked' | 'table' | 'pie' | 'metric';

interface PanelBase<S extends SourceId> {
  /** Unique within its dashboard; stable ids derive from it. */
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly source: S;
  /** Only documents matching this count. */
  readonly where?: Condition<S>;
  /** Grid size in 48 columns (Kibana's grid; Grafana's 24 columns get half). */
  readonly width: number;
  readonly height: number;
}

/** A chart or table of aggregated values. */
export interface AggregatePanel<S extends SourceId = SourceId> extends PanelBase<S> {
  readonly kind: 'aggregate';
  readonly visual: Visual;
  readonly buckets: readonly Bucket<S>[];
  readonly metrics: readonly Metric<S>[];
}

/** The most recent documents, newest first. */
export interface DocumentsPanel<S extends SourceId = SourceId> extends PanelBase<S> {
  readonly kind: 'documents';
  readonly columns: readonly FieldOf<S>[];
  readonly size: number;
}

/** One panel of a dashboard. */
export type Panel<S extends SourceId = SourceId> = AggregatePanel<S> | DocumentsPanel<S>;

/** A dashboard: title and panels in reading order (left to right, top to bottom). */
export interface DashboardSpec {
  /** Stable ids and file names derive from it. */
  readonly key: string;
  readonly title: string;
  readonly description: string;
  /** Default time range, e.g. `now-1h`. */
  readonly from: string;
  readonly refresh: string;
  readonly panels: readonly Panel[];
}

/**
 * Identity helper that checks a panel's fields against its source at compile time.
 * @example panel({ kind: 'aggregate', source: 'requests', ... metrics: [{ kind: 'max', field: 'event.duration', ... }] })
 */
export function panel<S extends SourceId>(definition: Panel<S>): Panel<S> {
  return definition;
}
