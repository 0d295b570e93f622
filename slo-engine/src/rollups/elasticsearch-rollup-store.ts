import type { Client, estypes } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { EngineError } from '../engine-error.ts';
import type { MinuteCount, TimeRange } from '../events/event-source.ts';
import { createElasticsearchStoreClient, elasticsearchReason, type ElasticsearchStoreConnection } from '../events/elasticsearch-store-client.ts';
import { assertMinuteAligned } from '../events/minute.ts';
import type { GoodTotal } from '../sli/level.ts';
import type { RollupStore } from './rollup-store.ts';
import { coverageAfterPrune, coverageAfterWrite } from './rollup-write-rules.ts';

/** Default index of the rollups (the engine's `lookout-slo-` prefix + `rollups`). */
export const SLO_ROLLUPS_INDEX = 'lookout-slo-engine-rollups';

/** Options of {@link ElasticsearchRollupStore}. */
export interface ElasticsearchRollupStoreOptions extends ElasticsearchStoreConnection {
  /** Default {@link SLO_ROLLUPS_INDEX}. Created on first use when missing. */
  readonly index?: string;
  /** Replicas of the index when this store creates it. Default 0 (a single node stays green). */
  readonly replicas?: number;
  /** A client to share (e.g. with the event source); `close()` then leaves it open. */
  readonly client?: Client;
}

/**
 * One index, two kinds of documents: `minute` (`_id` `<key>:<minute>`: key, minute, good,
 * total; only minutes with events) and `coverage` (`_id` `coverage:<key>`: from, to). Strict
 * mapping, one shard. Minute writes refresh (the next sum searches them); the coverage is read
 * by realtime GET, so its writes do not (one refresh per write instead of two).
 *
 * A write replaces the range's minutes (deletes and indexes in one bulk request), then moves the
 * coverage: if the engine dies in between, the coverage still describes complete minutes (a
 * minute document beyond the coverage is ignored and replaced by the next write of its range).
 * Works without the reindex module (no `_delete_by_query`): ids are listed, then deleted.
 */
const MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    kind: { type: 'keyword' },
    key: { type: 'keyword' },
    minute: { type: 'long' },
    good: { type: 'long' },
    total: { type: 'long' },
    from: { type: 'long' },
    to: { type: 'long' },
  },
};

/** Ids listed / operations sent per request. */
const ID_PAGE = 5_000;

function minuteId(key: string, minute: number): string {
  return `${key}:${minute}`;
}

function coverageId(key: string): string {
  return `coverage:${key}`;
}

/** {@link RollupStore} in an Elasticsearch index, for engines whose state lives in Elasticsearch. */
export class ElasticsearchRollupStore implements RollupStore {
  readonly index: string;
  readonly #node: string;
  readonly #client: Client;
  readonly #ownsClient: boolean;
  readonly #replicas: number;
  #ready: Promise<void> | undefined;

  constructor(options: ElasticsearchRollupStoreOptions) {
    this.index = options.index ?? SLO_ROLLUPS_INDEX;
    this.#node = options.node.replace(/\/+$/, '');
    this.#client = options.client ?? createElasticsearchStoreClient(options);
    this.#ownsClient = options.client === undefined;
    this.#replicas = options.replicas ?? 0;
  }

  async coverage(key: string): Promise<TimeRange | undefined> {
    return this.#call('reading the coverage', () => this.#coverage(key));
  }

  async write(key: string, range: TimeRange, minutes: readonly MinuteCount[]): Promise<void> {
    const before = await this.coverage(key);
    const after = coverageAfterWrite(key, before, range, minutes);
    await this.#call('writing minutes', async () => {
      // No _delete_by_query (the reindex module may be absent): the ids of the range's stored
      // minutes are listed, and the ones not rewritten are deleted in the same bulk request.
      const stored = minutes.filter((minute) => minute.total > 0);
      const kept = new Set(stored.map((minute) => minuteId(key, minute.minute)));
      const stale = (await this.#minuteIds(key, { gte: range.from, lt: range.to })).filter((id) => !kept.has(id));
      await this.#bulk([
        ...stale.map((id) => [{ delete: { _index: this.index, _id: id } }]),
        ...stored.map((minute) => [
          { index: { _index: this.index, _id: minuteId(key, minute.minute) } },
          { kind: 'minute', key, minute: minute.minute, good: minute.good, total: minute.total },
        ]),
      ]);
      await this.#client.index({ index: this.index, id: coverageId(key), document: { kind: 'coverage', key, from: after.from, to: after.to } });
    });
  }

  async sum(key: string, range: TimeRange): Promise<GoodTotal> {
    const [sum] = await this.sumRanges(key, [range]);
    return sum!;
  }

  async sumRanges(key: string, ranges: readonly TimeRange[]): Promise<GoodTotal[]> {
    for (const range of ranges) assertMinuteAligned(range);
    if (ranges.length === 0) return [];
    return this.#call('summing minutes', async () => {
      const response = await this.#client.search({
        index: this.index,
        size: 0,
        track_total_hits: false,
        allow_partial_search_results: false,
        query: { bool: { filter: [{ term: { kind: 'minute' } }, { term: { key } }] } },
        aggs: {
          ranges: {
            filters: { filters: ranges.map((range) => ({ range: { minute: { gte: range.from, lt: range.to } } })) },
            aggs: { good: { sum: { field: 'good' } }, total: { sum: { field: 'total' } } },
          },
        },
      });
      const buckets = (response.aggregations?.ranges as { buckets: { good: { value: number }; total: { value: number } }[] }).buckets;
      return ranges.map((_, i) => ({ good: buckets[i]?.good.value ?? 0, total: buckets[i]?.total.value ?? 0 }));
    });
  }

  async prune(key: string, before: number): Promise<void> {
    const coverage = await this.coverage(key);
    await this.#call('pruning minutes', async () => {
      // Coverage first: a crash between the two leaves minutes outside it, never a coverage without its minutes.
      if (coverage !== undefined) {
        const left = coverageAfterPrune(coverage, before);
        if (left === undefined) await this.#client.delete({ index: this.index, id: coverageId(key) }, { ignore: [404] });
        else await this.#client.index({ index: this.index, id: coverageId(key), document: { kind: 'coverage', key, from: left.from, to: left.to } });
      }
      const ids = await this.#minuteIds(key, { lt: before });
      await this.#bulk(ids.map((id) => [{ delete: { _index: this.index, _id: id } }]));
    });
  }

  async drop(key: string): Promise<void> {
    await this.#call('dropping a key', async () => {
      await this.#client.delete({ index: this.index, id: coverageId(key) }, { ignore: [404] });
      const ids = await this.#minuteIds(key, {});
      await this.#bulk(ids.map((id) => [{ delete: { _index: this.index, _id: id } }]));
    });
  }

  async keys(): Promise<string[]> {
    return this.#call('listing keys', async () => {
      await this.#client.indices.refresh({ index: this.index });
      const response = await this.#client.search<{ key: string }>({
        index: this.index,
        size: 10_000,
        query: { term: { kind: 'coverage' } },
        _source: ['key'],
        sort: [{ key: 'asc' }],
      });
      return response.hits.hits.map((hit) => hit._source!.key);
    });
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  async #coverage(key: string): Promise<TimeRange | undefined> {
    const response = await this.#client.get<{ from: number; to: number }>({ index: this.index, id: coverageId(key) }, { ignore: [404] });
    if (!response.found || response._source === undefined) return undefined;
    return { from: response._source.from, to: response._source.to };
  }

  /** The ids of the stored minutes of `key` whose minute is in `bounds` (search_after pages). */
  async #minuteIds(key: string, bounds: { gte?: number; lt?: number }): Promise<string[]> {
    const ids: string[] = [];
    let after: estypes.SortResults | undefined;
    for (;;) {
      const response = await this.#client.search({
        index: this.index,
        size: ID_PAGE,
        track_total_hits: false,
        _source: false,
        query: { bool: { filter: [{ term: { kind: 'minute' } }, { term: { key } }, { range: { minute: bounds } }] } },
        sort: [{ minute: 'asc' }],
        ...(after === undefined ? {} : { search_after: after }),
      });
      const hits = response.hits.hits;
      for (const hit of hits) ids.push(hit._id!);
      if (hits.length < ID_PAGE) return ids;
      after = hits[hits.length - 1]!.sort;
    }
  }

  /** Bulk operations (one or two lines each) in requests of at most ID_PAGE operations, refreshed. */
  async #bulk(operations: readonly (readonly object[])[]): Promise<void> {
    for (let i = 0; i < operations.length; i += ID_PAGE) {
      const response = await this.#client.bulk({ refresh: true, operations: operations.slice(i, i + ID_PAGE).flat() as estypes.BulkOperationContainer[] });
      if (response.errors) {
        const failed = response.items.map((item) => item.index ?? item.delete).find((result) => result?.error !== undefined && result.status !== 404);
        if (failed !== undefined) throw new Error(`bulk refused ${failed._id}: ${failed.error?.type ?? 'error'}: ${failed.error?.reason ?? 'unknown'}`);
      }
    }
  }

  /** Creates the index once per process when it is missing (another replica may create it at the same time). */
  #ensureIndex(): Promise<void> {
    this.#ready ??= (async () => {
      const exists = await this.#client.indices.exists({ index: this.index });
      if (exists) return;
      try {
        await this.#client.indices.create({ index: this.index, settings: { number_of_shards: 1, number_of_replicas: this.#replicas }, mappings: MAPPINGS });
      } catch (error) {
        const type = error instanceof errors.ResponseError ? (error.meta.body as { error?: { type?: string } })?.error?.type : undefined;
        if (type !== 'resource_already_exists_exception') throw error;
      }
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #call<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      await this.#ensureIndex();
      return await work();
    } catch (error) {
      if (error instanceof RangeError || error instanceof EngineError) throw error;
      const reason = error instanceof errors.ResponseError ? `${error.meta.statusCode}: ${elasticsearchReason(error.meta.body)}` : (error as Error).message;
      throw new EngineError('SLO_STATE_STORE_FAILED', `rollups in ${this.#node}/${this.index}: ${doing} failed: ${reason}`, { url: this.#node, index: this.index }, { cause: error });
    }
  }
}
