/** Samples of one Prometheus text exposition: series (`name{labels}`) to value. */
export class PrometheusSamples {
  readonly series: ReadonlyMap<string, number>;

  constructor(series: ReadonlyMap<string, number>) {
    this.series = series;
  }

  /** Sum over every series of metric `name` (all label sets); undefined when absent. */
  sum(name: string): number | undefined {
    let total: number | undefined;
    for (const [series, value] of this.series) {
      const bare = series.includes('{') ? series.slice(0, series.indexOf('{')) : series;
      if (bare === name) total = (total ?? 0) + value;
    }
    return total;
  }
}

/** Parses the text exposition format (comments skipped; timestamps ignored). */
export function parsePrometheusText(text: string): PrometheusSamples {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // The value follows the last space outside the label set.
    const close = line.lastIndexOf('}');
    const rest = close === -1 ? line : line.slice(close + 1);
    const parts = rest.trim().split(/\s+/);
    const key = close === -1 ? (parts.shift() ?? '') : line.slice(0, close + 1);
    const value = Number(parts[0]);
    if (key !== '' && !Number.isNaN(value)) series.set(key, value);
  }
  return new PrometheusSamples(series);
}

/** GET `url` (an admin API's /metrics) and parse it; throws naming the URL when it fails. */
export async function scrapePrometheus(url: string, timeoutMs = 5_000): Promise<PrometheusSamples> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HARDENING_SCRAPE_FAILED: GET ${url} answered ${response.status}`);
  return parsePrometheusText(await response.text());
}
