/**
 * What a dashboard fixes when it runs a panel: the index, the time range and the date
 * histogram interval ('auto' resolved to a fixed one, as Kibana and Grafana do from the range).
 */
export interface SearchWindow {
  readonly index: string;
  /** Epoch milliseconds, inclusive. */
  readonly from: number;
  /** Epoch milliseconds, inclusive. */
  readonly to: number;
  /** Fixed interval in milliseconds. */
  readonly intervalMs: number;
}

/** The query both tools send: the time range on the time field plus the panel's Lucene query. */
export function windowQuery(timeField: string, window: SearchWindow, lucene: string): Record<string, unknown> {
  const filter: unknown[] = [{ range: { [timeField]: { gte: window.from, lte: window.to, format: 'epoch_millis' } } }];
  if (lucene.trim() !== '') filter.push({ query_string: { query: lucene, analyze_wildcard: true } });
  return { bool: { filter } };
}

/** The date histogram both tools send for an 'auto' interval resolved to `window.intervalMs`. */
export function dateHistogram(timeField: string, window: SearchWindow): Record<string, unknown> {
  return {
    date_histogram: {
      field: timeField,
      fixed_interval: `${window.intervalMs}ms`,
      min_doc_count: 0,
      extended_bounds: { min: window.from, max: window.to },
      time_zone: 'UTC',
    },
  };
}

/** A `query_string` query for a Lucene filter. */
export function luceneQuery(lucene: string): Record<string, unknown> {
  return { query_string: { query: lucene, analyze_wildcard: true } };
}
