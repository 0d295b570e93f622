import type { Client, estypes } from '@elastic/elasticsearch';
import { REQUEST_EVENTS_TARGET, type RequestEventField } from '@lookout/telemetry';
import { EngineError } from '../engine-error.ts';
import type { BudgetIndicator, SloFilter, ThresholdIndicator } from '../model/slo.ts';
import type { GoodTotal } from '../sli/level.ts';
import { createElasticsearchStoreClient, elasticsearchStoreError, type ElasticsearchStoreConnection } from './elasticsearch-store-client.ts';
import type { EventSource, EventTargets, MinuteCount, ThresholdResult, TimeRange } from './event-source.ts';
import { UNAVAILABLE_TERMINATIONS, latencyLimitNs } from './good-event-rule.ts';
import { assertMinuteAligned, MINUTE_MS } from './minute.ts';
import { PERCENTILE_FRACTIONS, durationMs, nearestRank } from './nearest-rank.ts';

/** The event fields the queries use, checked against the telemetry contract. */
const FIELD = {
  timestamp: '@timestamp',
  duration: 'event.duration',
  status: 'http.response.status_code',
  termination: 'lookout.termination',
  probe: 'lookout.probe',
  service: 'service.target.name',
  domain: 'url.domain',
  path: 'url.path',
} as const satisfies Record<string, RequestEventField>;

/** Minutes per date_histogram request (a week: ~10k buckets, under `search.max_buckets`). */
const MINUTES_PER_REQUEST = 7 * 24 * 60;
/** Buckets per narrowing round of the exact percentile. */
const PERCENTILE_SPLIT = 64;
/** Once the rank's bucket holds at most this many events, the value is read by sorting them. */
const PERCENTILE_SORT_LIMIT = 1_000;
/** Terms per page when listing targets. */
const TARGETS_PAGE = 1_000;

/** Options of {@link ElasticsearchEventSource}. */
export interface ElasticsearchEventSourceOptions extends ElasticsearchStoreConnection {
  /** Index, alias or data stream of the request events. Default `lookout-requests` (REQUEST_EVENTS_TARGET). */
  readonly index?: string;
  /** A client to share (e.g. with the rollup store); the connection options are then only for messages. */
  readonly client?: Client;
}

type Query = estypes.QueryDslQueryContainer;

/**
 * The proxy's request events in Elasticsearch as an {@link EventSource}; every count exact.
 *
 * - Counts: `size: 0` searches whose `filter` is the SLO's population (term on
 *   `service.target.name` and `url.domain`, prefix on `url.path`, `lookout.probe: false`, range
 *   on `@timestamp`) and a `filter` aggregation for "good" (availability: no 5xx status and no
 *   failing `lookout.termination`, from the TERMINATIONS table; latency: `event.duration` <=
 *   the threshold in ns). Document counts are exact, never estimated. Several ranges are one
 *   search with a `filters` aggregation.
 * - Per minute: `date_histogram` (`fixed_interval: 1m`, `min_doc_count: 1`) with the same good
 *   filter under it, a week per request.
 * - Percentiles: not the `percentiles` aggregation (TDigest, approximate). The count gives the
 *   nearest rank; `range` aggregations over `event.duration` narrow the bucket holding that rank
 *   (64 buckets a round); once it holds at most 1000 events, a sorted search reads the value at
 *   the rank. A few searches, whatever the event count.
 * - Searches set `allow_partial_search_results: false`: a failed shard is an error, never a
 *   silently smaller count.
 */
export class ElasticsearchEventSource implements EventSource {
  readonly kind = 'elasticsearch' as const;
  readonly location: string;
  readonly index: string;
  readonly #node: string;
  readonly #client: Client;
  readonly #ownsClient: boolean;

  constructor(options: ElasticsearchEventSourceOptions) {
    this.index = options.index ?? REQUEST_EVENTS_TARGET;
    this.#node = options.node.replace(/\/+$/, '');
    this.location = `${this.#node}/${this.index}`;
    this.#client = options.client ?? createElasticsearchStoreClient(options);
    this.#ownsClient = options.client === undefined;
  }

  async countGoodTotal(filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): Promise<GoodTotal> {
    const [counts] = await this.countGoodTotalRanges(filter, indicator, [range]);
    return counts!;
  }

  async countGoodTotalRanges(filter: SloFilter, indicator: BudgetIndicator, ranges: readonly TimeRange[]): Promise<GoodTotal[]> {
    if (ranges.length === 0) return [];
    const response = await this.#search('counting good/total', {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [...population(filter), { bool: { should: ranges.map(timeRange), minimum_should_match: 1 } }] } },
      aggs: { ranges: { filters: { filters: ranges.map(timeRange) }, aggs: { good: { filter: goodQuery(indicator) } } } },
    });
    const buckets = (response.aggregations?.ranges as { buckets: { doc_count: number; good: { doc_count: number } }[] } | undefined)?.buckets ?? [];
    return ranges.map((_, i) => ({ good: buckets[i]?.good.doc_count ?? 0, total: buckets[i]?.doc_count ?? 0 }));
  }

  async countPerMinute(filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): Promise<MinuteCount[]> {
    assertMinuteAligned(range);
    const minutes: MinuteCount[] = [];
    for (let from = range.from; from < range.to; from += MINUTES_PER_REQUEST * MINUTE_MS) {
      const chunk = { from, to: Math.min(range.to, from + MINUTES_PER_REQUEST * MINUTE_MS) };
      const response = await this.#search('counting per minute', {
        size: 0,
        track_total_hits: false,
        query: { bool: { filter: [...population(filter), timeRange(chunk)] } },
        aggs: {
          minutes: {
            date_histogram: { field: FIELD.timestamp, fixed_interval: '1m', min_doc_count: 1 },
            aggs: { good: { filter: goodQuery(indicator) } },
          },
        },
      });
      const buckets = (response.aggregations?.minutes as { buckets: { key: number; doc_count: number; good: { doc_count: number } }[] } | undefined)?.buckets ?? [];
      for (const bucket of buckets) minutes.push({ minute: bucket.key, good: bucket.good.doc_count, total: bucket.doc_count });
    }
    return minutes;
  }

  async thresholdSli(filter: SloFilter, indicator: ThresholdIndicator, range: TimeRange): Promise<ThresholdResult> {
    if (indicator.metric === 'error-rate') {
      const counts = await this.countGoodTotal(filter, { type: 'availability' }, range);
      return { sli: counts.total === 0 ? undefined : (counts.total - counts.good) / counts.total, total: counts.total };
    }
    const base = [...population(filter), timeRange(range)];
    // Late events may change the population between the searches; then count again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const bounds = await this.#search('reading the duration bounds', {
        size: 0,
        track_total_hits: true,
        query: { bool: { filter: base } },
        aggs: { min: { min: { field: FIELD.duration } }, max: { max: { field: FIELD.duration } } },
      });
      const total = totalHits(bounds);
      if (total === 0) return { sli: undefined, total };
      const rank = nearestRank(PERCENTILE_FRACTIONS[indicator.metric], total);
      const aggs = bounds.aggregations as { min: { value: number }; max: { value: number } };
      const value = await this.#valueAtRank(base, rank, { lo: aggs.min.value, hi: aggs.max.value, below: 0, inside: total });
      if (value !== undefined) return { sli: durationMs(value), total };
    }
    throw new EngineError('SLO_STORE_QUERY_FAILED', `the events of ${this.location} kept changing while reading the ${indicator.metric} over [${range.from}, ${range.to})`, {
      url: this.#node,
      index: this.index,
    });
  }

  async targets(range: TimeRange): Promise<EventTargets> {
    const [services, hosts] = [await this.#distinct(FIELD.service, range), await this.#distinct(FIELD.domain, range)];
    return { services, hosts };
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  /**
   * The `rank`-th smallest duration (1-based, over the whole population) knowing that `below`
   * events are shorter than `lo` and `inside` lie in `[lo, hi]` (integers, ns). Undefined when
   * the counts stop adding up (the population changed under the searches).
   */
  async #valueAtRank(base: Query[], rank: number, bounds: { lo: number; hi: number; below: number; inside: number }): Promise<number | undefined> {
    let { lo, hi, below, inside } = bounds;
    // Each round divides the span by PERCENTILE_SPLIT: 2^53 ns needs 9 rounds.
    for (let round = 0; round < 12; round++) {
      if (lo === hi) return lo;
      const within: Query = { range: { [FIELD.duration]: { gte: lo, lte: hi } } };
      if (inside <= PERCENTILE_SORT_LIMIT) {
        const response = await this.#search('reading the percentile', {
          size: 1,
          from: rank - below - 1,
          track_total_hits: false,
          _source: false,
          query: { bool: { filter: [...base, within] } },
          sort: [{ [FIELD.duration]: { order: 'asc' } }],
        });
        const value = response.hits.hits[0]?.sort?.[0];
        return typeof value === 'number' ? value : undefined;
      }
      const width = Math.ceil((hi - lo + 1) / PERCENTILE_SPLIT);
      const ranges: { from: number; to: number }[] = [];
      for (let from = lo; from <= hi; from += width) ranges.push({ from, to: Math.min(from + width, hi + 1) });
      const response = await this.#search('narrowing the percentile', {
        size: 0,
        track_total_hits: false,
        query: { bool: { filter: [...base, within] } },
        aggs: { split: { range: { field: FIELD.duration, ranges } } },
      });
      const buckets = (response.aggregations?.split as { buckets: { from: number; to: number; doc_count: number }[] }).buckets;
      let cumulative = below;
      const bucket = buckets.find((candidate) => {
        if (cumulative + candidate.doc_count >= rank) return true;
        cumulative += candidate.doc_count;
        return false;
      });
      if (bucket === undefined) return undefined;
      lo = bucket.from;
      hi = bucket.to - 1;
      below = cumulative;
      inside = bucket.doc_count;
    }
    return undefined;
  }

  /** Every distinct value of a keyword field over the range (composite aggregation, paged). */
  async #distinct(field: string, range: TimeRange): Promise<string[]> {
    const values: string[] = [];
    let after: Record<string, estypes.FieldValue> | undefined;
    for (;;) {
      const response = await this.#search('listing targets', {
        size: 0,
        track_total_hits: false,
        query: { bool: { filter: [timeRange(range)] } },
        aggs: { values: { composite: { size: TARGETS_PAGE, sources: [{ value: { terms: { field } } }], ...(after === undefined ? {} : { after }) } } },
      });
      const aggregation = response.aggregations?.values as { buckets: { key: { value: string } }[]; after_key?: Record<string, estypes.FieldValue> } | undefined;
      const buckets = aggregation?.buckets ?? [];
      for (const bucket of buckets) values.push(bucket.key.value);
      if (buckets.length < TARGETS_PAGE || aggregation?.after_key === undefined) break;
      after = aggregation.after_key;
    }
    return values.sort();
  }

  async #search(doing: string, request: Omit<estypes.SearchRequest, 'index'>): Promise<estypes.SearchResponse> {
    try {
      return await this.#client.search({ index: this.index, allow_partial_search_results: false, ...request });
    } catch (error) {
      throw elasticsearchStoreError(error, this.#node, this.index, doing);
    }
  }
}

/** The SLO's population without the time range: probes excluded, then the filter (`countsFor`). */
function population(filter: SloFilter): Query[] {
  const clauses: Query[] = [{ term: { [FIELD.probe]: false } }];
  if (filter.service !== undefined) clauses.push({ term: { [FIELD.service]: filter.service } });
  if (filter.host !== undefined) clauses.push({ term: { [FIELD.domain]: filter.host } });
  if (filter.pathPrefix !== undefined && filter.pathPrefix !== '') clauses.push({ prefix: { [FIELD.path]: filter.pathPrefix } });
  return clauses;
}

/** `[from, to)` on `@timestamp`, in epoch ms. */
function timeRange(range: TimeRange): Query {
  return { range: { [FIELD.timestamp]: { gte: range.from, lt: range.to, format: 'epoch_millis' } } };
}

/** "Good" of a budget indicator (`isAvailable` / `isFastEnough`). */
function goodQuery(indicator: BudgetIndicator): Query {
  if (indicator.type === 'latency') return { range: { [FIELD.duration]: { lte: latencyLimitNs(indicator.thresholdMs) } } };
  return {
    bool: {
      must_not: [{ range: { [FIELD.status]: { gte: 500 } } }, { terms: { [FIELD.termination]: [...UNAVAILABLE_TERMINATIONS] } }],
    },
  };
}

function totalHits(response: estypes.SearchResponse): number {
  const total = response.hits.total;
  return typeof total === 'number' ? total : (total?.value ?? 0);
}
