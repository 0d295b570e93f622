import { TERMINATIONS, type TerminationCode } from '@lookout/telemetry';
import type { BudgetIndicator, Slo, SloFilter, ThresholdIndicator } from '../model/slo.ts';

/**
 * The fields of a request event the SLIs read (a structural subset of `RequestEvent` from
 * @lookout/telemetry, so a full event fits).
 */
export interface SliEvent {
  readonly event: { readonly duration: number };
  readonly http: { readonly response: { readonly status_code: number } };
  readonly lookout: { readonly termination: TerminationCode; readonly probe: boolean };
  readonly service: { readonly target?: { readonly name: string } | undefined };
  readonly url: { readonly domain: string; readonly path: string };
}

/** Good and total event counts over a window. */
export interface GoodTotal {
  readonly good: number;
  readonly total: number;
}

const NS_PER_MS = 1_000_000;

/** Whether an event belongs to an SLO's population: matches the filter and is not a health probe. */
export function countsFor(filter: SloFilter, event: SliEvent): boolean {
  if (event.lookout.probe) return false;
  if (filter.service !== undefined && event.service.target?.name !== filter.service) return false;
  if (filter.host !== undefined && event.url.domain !== filter.host) return false;
  if (filter.pathPrefix !== undefined && !event.url.path.startsWith(filter.pathPrefix)) return false;
  return true;
}

/**
 * Availability: an event is bad when the client got a 5xx, or the termination table marks it a
 * failure that is not the client's (its own status is not 4xx) — e.g. `upstream_reset` after a
 * 200 was sent. Client aborts (`outcome: unknown`, 499) and client errors (4xx, including the
 * proxy's own 400/408/413/431) are good: they do not spend the service's budget.
 */
export function isAvailable(event: SliEvent): boolean {
  if (event.http.response.status_code >= 500) return false;
  const spec = TERMINATIONS[event.lookout.termination];
  if (spec.outcome !== 'failure') return true;
  return spec.status !== null && spec.status < 500;
}

/** Latency: good when `event.duration` (ns) is at most `thresholdMs`, compared in ns exactly. */
export function isFastEnough(event: SliEvent, thresholdMs: number): boolean {
  return event.event.duration <= thresholdMs * NS_PER_MS;
}

/** Whether an event (already in the population) is good for a budget indicator. */
export function isGood(indicator: BudgetIndicator, event: SliEvent): boolean {
  return indicator.type === 'availability' ? isAvailable(event) : isFastEnough(event, indicator.thresholdMs);
}

/** Good and total over `events` for a budget SLO; probes and events outside the filter are skipped. */
export function countGoodTotal(indicator: BudgetIndicator, filter: SloFilter, events: Iterable<SliEvent>): GoodTotal {
  let good = 0;
  let total = 0;
  for (const event of events) {
    if (!countsFor(filter, event)) continue;
    total++;
    if (isGood(indicator, event)) good++;
  }
  return { good, total };
}

/**
 * Burn rate over a window: the error rate divided by the error budget rate,
 * `((total - good) / total) / (1 - objective)`. 1 spends the budget exactly over the SLO window.
 * `undefined` when `total` is 0 (no data).
 */
export function burnRate(counts: GoodTotal, objective: number): number | undefined {
  if (counts.total === 0) return undefined;
  return (counts.total - counts.good) / counts.total / (1 - objective);
}

/**
 * Level of a budget SLO: the share of the error budget consumed over the SLO's rolling window,
 * `(bad / total) / (1 - objective)` with good and total counted over that window. 0 = nothing
 * spent, 1 = budget exhausted (red), above 1 = overspent. Numerically it is the burn rate over
 * the whole window. `undefined` when `total` is 0 (NODATA).
 */
export function budgetLevel(counts: GoodTotal, objective: number): number | undefined {
  return burnRate(counts, objective);
}

/** Level of a threshold SLO: `sli / limit` (1 = at the limit); `undefined` when there is no SLI. */
export function thresholdLevel(sli: number | undefined, limit: number): number | undefined {
  return sli === undefined ? undefined : sli / limit;
}

/**
 * Exact percentile by the nearest-rank method: the smallest value such that at least `p` of
 * the values are at or below it, i.e. `sorted[ceil(p * n) - 1]` (clamped to the first value).
 * No interpolation: the result is always one of the values. `p` is a fraction in (0, 1]
 * (0.99 for p99); `sorted` must be in ascending order. `undefined` when empty.
 *
 * @example percentile([10, 20, 30, 40], 0.5) // 20
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  if (!(p > 0 && p <= 1)) throw new RangeError(`percentile must be in (0, 1], got ${p}`);
  // The epsilon keeps float products such as 0.07 * 100 = 7.000000000000001 on rank 7.
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9));
  return sorted[rank - 1];
}

const PERCENTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/**
 * The SLI of a threshold indicator over `events` (the caller picks the window): the latency
 * percentile in ms, or the error rate (share of not-available events). `undefined` when no event
 * counts.
 */
export function thresholdSli(indicator: ThresholdIndicator, filter: SloFilter, events: Iterable<SliEvent>): number | undefined {
  if (indicator.metric === 'error-rate') {
    const counts = countGoodTotal({ type: 'availability' }, filter, events);
    return counts.total === 0 ? undefined : (counts.total - counts.good) / counts.total;
  }
  const durations: number[] = [];
  for (const event of events) if (countsFor(filter, event)) durations.push(event.event.duration / NS_PER_MS);
  durations.sort((a, b) => a - b);
  return percentile(durations, PERCENTILES[indicator.metric]);
}

/** What one evaluation of an SLO found: its level (undefined = no data) and the event count. */
export interface Evaluation {
  readonly level: number | undefined;
  readonly total: number;
}

/** Level of an SLO over the events of its window (the caller picks the window). */
export function evaluateEvents(slo: Slo, events: readonly SliEvent[]): Evaluation {
  if (slo.kind === 'threshold') {
    let total = 0;
    for (const event of events) if (countsFor(slo.filter, event)) total++;
    return { level: thresholdLevel(thresholdSli(slo.indicator, slo.filter, events), slo.indicator.limit), total };
  }
  const counts = countGoodTotal(slo.indicator, slo.filter, events);
  return { level: budgetLevel(counts, slo.objective), total: counts.total };
}
