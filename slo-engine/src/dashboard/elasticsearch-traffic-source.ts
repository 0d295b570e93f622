import type { Client, estypes } from '@elastic/elasticsearch';
import { REQUEST_EVENTS_TARGET, type RequestEventField } from '@lookout/telemetry';
import { createElasticsearchStoreClient, elasticsearchStoreError, type ElasticsearchStoreConnection } from '../events/elasticsearch-store-client.ts';
import {
  BYTE_SERIES,
  LATENCY_PERCENTILES,
  NON_FAILURE_TERMINATIONS,
  STATUS_CLASSES,
  TIMING_PHASES,
  TOP_MEMBERS,
  TOP_URIS,
  bucketSeconds,
  bucketStarts,
  busiestTerminations,
  emptyTraffic,
  seriesWithData,
  type MemberRow,
  type TrafficQuery,
  type TrafficSeries,
  type TrafficSnapshot,
  type TrafficSource,
  type TrafficStoreState,
  type UriRow,
} from './traffic-source.ts';

/** The event fields the aggregations read, checked against the telemetry contract. */
const FIELD = {
  timestamp: '@timestamp',
  duration: 'event.duration',
  outcome: 'event.outcome',
  status: 'http.response.status_code',
  responseBytes: 'http.response.body.bytes',
  termination: 'lookout.termination',
  probe: 'lookout.probe',
  path: 'url.path',
  member: 'lookout.upstream.member',
  connect: 'lookout.timing.connect_ms',
} as const satisfies Record<string, RequestEventField>;

/** Distinct termination codes asked per bucket (there are about twenty). */
const TERMINATION_TERMS = 32;

/** Options of {@link ElasticsearchTrafficSource}. */
export interface ElasticsearchTrafficSourceOptions extends ElasticsearchStoreConnection {
  /** Index, alias or pattern of the request events. Default `lookout-requests`. */
  readonly index?: string;
  /** A client to share (e.g. with the event source); the connection options are then only for messages. */
  readonly client?: Client;
}

type Aggregations = Record<string, estypes.AggregationsAggregationContainer>;

interface PercentileValues {
  values: { key: number; value: number | null }[];
}
interface TimeBucket {
  key: number;
  doc_count: number;
  latency: PercentileValues;
  status: { buckets: Record<string, { doc_count: number }> };
  failures: { codes: { buckets: { key: string; doc_count: number }[] } };
  [metric: string]: unknown;
}
interface GroupBucket {
  key: string;
  doc_count: number;
  failed: { doc_count: number };
  p95: PercentileValues;
  average: { value: number | null };
}

/**
 * The traffic charts from the proxy's request events in Elasticsearch: one search with
 * aggregations over `@timestamp` in `[from, to)`, health probes excluded. `date_histogram`
 * with empty buckets kept for the time axis; `percentiles` (TDigest, approximate: right for a
 * chart; the SLO engine's percentiles are exact); `filters` for status classes; `terms` for
 * termination codes, `url.path` and `lookout.upstream.member`; `sum`/`avg` for bytes and timing
 * phases, drawn only when some event carries the field (`value_count`).
 *
 * A missing index is an empty snapshot whose store state says so, as are unmapped fields (their
 * aggregations come back empty); an unreachable cluster throws `SLO_STORE_UNREACHABLE`.
 */
export class ElasticsearchTrafficSource implements TrafficSource {
  readonly kind = 'elasticsearch' as const;
  readonly location: string;
  readonly index: string;
  readonly #node: string;
  readonly #client: Client;
  readonly #ownsClient: boolean;

  constructor(options: ElasticsearchTrafficSourceOptions) {
    this.index = options.index ?? REQUEST_EVENTS_TARGET;
    this.#node = options.node.replace(/\/+$/, '');
    this.location = `${this.#node}/${this.index}`;
    this.#client = options.client ?? createElasticsearchStoreClient(options);
    this.#ownsClient = options.client === undefined;
  }

  async traffic(query: TrafficQuery): Promise<TrafficSnapshot> {
    let response: estypes.SearchResponse;
    try {
      response = await this.#client.search({
        index: this.index,
        size: 0,
        track_total_hits: true,
        query: {
          bool: {
            filter: [{ range: { [FIELD.timestamp]: { gte: query.from, lt: query.to, format: 'epoch_millis' } } }],
            must_not: [{ term: { [FIELD.probe]: true } }],
          },
        },
        aggs: searchAggregations(query),
      });
    } catch (error) {
      const coded = elasticsearchStoreError(error, this.#node, this.index, 'reading traffic');
      if (coded.code === 'SLO_STORE_NOT_INITIALISED') return emptyTraffic(query, this.#state('not-initialised', coded.message));
      throw coded;
    }
    return this.#snapshot(query, response);
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  #snapshot(query: TrafficQuery, response: estypes.SearchResponse): TrafficSnapshot {
    const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
    if (total === 0) return emptyTraffic(query, this.#state('ok'));
    const aggs = response.aggregations as unknown as Record<string, unknown>;
    const starts = bucketStarts(query);
    const index = new Map(starts.map((start, i) => [start, i]));
    const series = (label: string, fill: number | null): { label: string; values: (number | null)[] } => ({ label, values: starts.map(() => fill) });

    const rate = series('Requests per second', 0);
    const latency = LATENCY_PERCENTILES.map((percent) => series(`p${percent}`, null));
    const classes = STATUS_CLASSES.map((status) => series(status.label, 0));
    const bytes = BYTE_SERIES.map((one) => series(one.label, null));
    const phases = TIMING_PHASES.map((phase) => series(phase.label, null));
    const byTermination = new Map<string, { label: string; values: (number | null)[] }>();

    for (const bucket of (aggs.time as { buckets: TimeBucket[] }).buckets) {
      const i = index.get(bucket.key);
      if (i === undefined) continue;
      rate.values[i] = bucket.doc_count / bucketSeconds(query, starts[i]!);
      latency.forEach((one, p) => {
        const value = bucket.latency.values[p]?.value;
        one.values[i] = value == null ? null : value / 1e6;
      });
      classes.forEach((one) => (one.values[i] = bucket.status.buckets[one.label]?.doc_count ?? 0));
      bytes.forEach((one, b) => (one.values[i] = bucket.doc_count === 0 ? null : ((bucket[`bytes${b}`] as { value: number | null }).value ?? null)));
      phases.forEach((one, p) => (one.values[i] = (bucket[`phase${p}`] as { value: number | null }).value ?? null));
      for (const code of bucket.failures.codes.buckets) {
        let one = byTermination.get(code.key);
        if (one === undefined) byTermination.set(code.key, (one = series(code.key, 0)));
        one.values[i] = code.doc_count;
      }
    }
    // A sum over a field no event carries is 0, not null: draw bytes only when some event has them.
    const carried = bytes.filter((_, b) => (aggs[`bytes${b}_count`] as { value: number }).value > 0);

    const uris: UriRow[] = (aggs.uris as { buckets: GroupBucket[] }).buckets.map((bucket) => ({
      path: bucket.key,
      requests: bucket.doc_count,
      failures: bucket.failed.doc_count,
      p95Ms: nanosToMs(bucket.p95.values[0]?.value),
      averageResponseBytes: bucket.average.value,
    }));
    const members: MemberRow[] = (aggs.members as { buckets: GroupBucket[] }).buckets.map((bucket) => ({
      member: bucket.key,
      requests: bucket.doc_count,
      failures: bucket.failed.doc_count,
      p95Ms: nanosToMs(bucket.p95.values[0]?.value),
      averageConnectMs: bucket.average.value,
    }));

    return {
      from: query.from,
      to: query.to,
      stepMs: query.stepMs,
      store: this.#state('ok'),
      total,
      failed: (aggs.failed as { doc_count: number }).doc_count,
      time: starts,
      rate: [rate],
      latency: seriesWithData(latency),
      statusClasses: seriesWithData(classes, true),
      terminations: busiestTerminations([...byTermination.values()] as TrafficSeries[]),
      bytes: seriesWithData(carried),
      phases: seriesWithData(phases),
      topUris: uris,
      members,
    };
  }

  #state(state: TrafficStoreState['state'], message?: string): TrafficStoreState {
    return { kind: this.kind, location: this.location, state, ...(message !== undefined && { message }) };
  }
}

/** The aggregations of one snapshot. */
function searchAggregations(query: TrafficQuery): Aggregations {
  const perBucket: Aggregations = {
    latency: { percentiles: { field: FIELD.duration, percents: [...LATENCY_PERCENTILES], keyed: false } },
    status: { filters: { filters: Object.fromEntries(STATUS_CLASSES.map((status) => [status.label, { range: { [FIELD.status]: { gte: status.from, lt: status.to } } }])) } },
    failures: {
      filter: { bool: { must_not: [{ terms: { [FIELD.termination]: [...NON_FAILURE_TERMINATIONS] } }] } },
      aggs: { codes: { terms: { field: FIELD.termination, size: TERMINATION_TERMS } } },
    },
  };
  BYTE_SERIES.forEach((bytes, b) => (perBucket[`bytes${b}`] = { sum: { field: bytes.field } }));
  TIMING_PHASES.forEach((phase, p) => (perBucket[`phase${p}`] = { avg: { field: phase.field } }));

  const aggs: Aggregations = {
    failed: { filter: { term: { [FIELD.outcome]: 'failure' } } },
    time: {
      date_histogram: { field: FIELD.timestamp, fixed_interval: `${query.stepMs / 1_000}s`, min_doc_count: 0, extended_bounds: { min: query.from, max: query.to - 1 } },
      aggs: perBucket,
    },
    uris: { terms: { field: FIELD.path, size: TOP_URIS }, aggs: groupAggregations(FIELD.responseBytes) },
    members: { terms: { field: FIELD.member, size: TOP_MEMBERS }, aggs: groupAggregations(FIELD.connect) },
  };
  BYTE_SERIES.forEach((bytes, b) => (aggs[`bytes${b}_count`] = { value_count: { field: bytes.field } }));
  return aggs;
}

/** Failures, p95 duration and the average of `averaged` within a terms bucket. */
function groupAggregations(averaged: string): Aggregations {
  return {
    failed: { filter: { term: { [FIELD.outcome]: 'failure' } } },
    p95: { percentiles: { field: FIELD.duration, percents: [95], keyed: false } },
    average: { avg: { field: averaged } },
  };
}

function nanosToMs(value: number | null | undefined): number | null {
  return value == null ? null : value / 1e6;
}
