import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Client, errors } from '@elastic/elasticsearch';
import { EngineError } from '../engine-error.ts';
import type { SloNotification } from '../notify/notification.ts';
import type { AttemptRecord, Delivery, EngineStore, PersistedSlo, TransitionRecord } from './engine-store.ts';

/** Default prefix of the store's indices. */
export const DEFAULT_ENGINE_STORE_INDEX_PREFIX = 'lookout-slo-engine-';

/** Version of the mappings below, in each index's mapping `_meta`. */
export const ELASTICSEARCH_ENGINE_STORE_SCHEMA_VERSION = 1;

/** Most hits one search returns (Elasticsearch's default `index.max_result_window`). */
const MAX_RESULTS = 10_000;

/** The id of the one lease document. */
const LEASE_ID = 'leader';

/** The store's four indices, by role. */
export interface EngineStoreIndices {
  readonly state: string;
  readonly transitions: string;
  readonly deliveries: string;
  readonly lease: string;
}

/** Names of the store's indices for a prefix: `<prefix>state`, `<prefix>transitions`, `<prefix>deliveries`, `<prefix>lease`. */
export function engineStoreIndices(prefix: string = DEFAULT_ENGINE_STORE_INDEX_PREFIX): EngineStoreIndices {
  return { state: `${prefix}state`, transitions: `${prefix}transitions`, deliveries: `${prefix}deliveries`, lease: `${prefix}lease` };
}

const TIME = { type: 'date', format: 'epoch_millis' } as const;
const KEYWORD = { type: 'keyword' } as const;

/**
 * The explicit mappings of the store's indices (`dynamic: strict`: a document with a field not
 * listed here is rejected rather than guessed). Times are epoch ms `date`s, so Kibana can
 * chart them. A delivery's `notification` is kept whole in `_source` but not indexed (its
 * SLO name and id are copied to `slo` and `notificationId` for queries); `claimedBy` and
 * `claimUntil` hold the current claim.
 */
export const ENGINE_STORE_MAPPINGS = {
  state: {
    name: KEYWORD,
    fingerprint: KEYWORD,
    state: {
      properties: {
        status: KEYWORD,
        since: TIME,
        lastKnown: KEYWORD,
        aboveOrangeSince: TIME,
        aboveRedSince: TIME,
        belowGreenSince: TIME,
        level: { type: 'double' },
      },
    },
    burnAlert: { properties: { tier: KEYWORD, since: TIME } },
    evaluatedAt: TIME,
  },
  transitions: {
    id: KEYWORD,
    slo: KEYWORD,
    kind: KEYWORD,
    from: KEYWORD,
    to: KEYWORD,
    level: { type: 'double' },
    at: TIME,
  },
  deliveries: {
    id: KEYWORD,
    slo: KEYWORD,
    notificationId: KEYWORD,
    notification: { type: 'object', enabled: false },
    channel: KEYWORD,
    target: KEYWORD,
    status: KEYWORD,
    attempts: { type: 'integer' },
    nextAttemptAt: TIME,
    lastError: { type: 'text' },
    createdAt: TIME,
    deliveredAt: TIME,
    claimedBy: KEYWORD,
    claimUntil: TIME,
  },
  lease: {
    holder: KEYWORD,
    expiresAt: TIME,
    acquiredAt: TIME,
  },
} as const satisfies Record<keyof EngineStoreIndices, Record<string, unknown>>;

export interface ElasticsearchEngineStoreOptions {
  /** Elasticsearch URL, e.g. `http://127.0.0.1:9200`. */
  readonly node: string;
  readonly auth?: { readonly username: string; readonly password: string } | { readonly apiKey: string };
  readonly tls?: TlsConnectionOptions;
  /** Prefix of the four indices; default `lookout-slo-`. */
  readonly indexPrefix?: string;
  /** Per request; default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Retries of a request on connection errors; default 1. */
  readonly maxRetries?: number;
  /** `number_of_replicas` of the indices when this store creates them; default: the cluster's default. */
  readonly replicas?: number;
}

/** A delivery as indexed: the delivery, its SLO and notification id for queries, and its claim. */
interface DeliveryDoc extends Delivery {
  readonly slo: string;
  readonly notificationId: string;
  readonly claimedBy: string | null;
  readonly claimUntil: number | null;
}

interface LeaseDoc {
  readonly holder: string;
  readonly expiresAt: number;
  readonly acquiredAt: number;
}

/** A document read by id with what optimistic concurrency control needs to replace it. */
interface Versioned<T> {
  readonly doc: T;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/**
 * The {@link EngineStore} in Elasticsearch, over four indices (see {@link engineStoreIndices}),
 * created with {@link ENGINE_STORE_MAPPINGS} on first use (or ahead of time with
 * {@link ElasticsearchEngineStore.createIndices} / {@link createEngineStoreIndices}).
 *
 * Concurrency is Elasticsearch's optimistic concurrency control: the lease document and a
 * claimed delivery are replaced with `if_seq_no`/`if_primary_term` from a realtime GET (or
 * created with `op_type=create` when absent), so of two replicas racing, one gets 409 and
 * loses. Deliveries and transitions are created with `op_type=create` on their stable ids: a
 * 409 means "already there" and is fine. Reads that decide (lease, claim) are realtime GETs by
 * id; searches (due deliveries, history) see writes because the writes they depend on
 * (commit's deliveries and transitions, attempt results) use `refresh=true`, and `loadStates`
 * refreshes the state index first.
 *
 * `commit` (Elasticsearch has no multi-document transaction) runs in this order:
 *  1. realtime GET of the lease: unless `holder` holds it unexpired at `now`, throw
 *     `SLO_LEASE_LOST` and write nothing;
 *  2. one bulk request creating the deliveries and transitions (`create`, 409 = already there);
 *  3. the SLO's state document, last.
 * The state is the checkpoint: a crash before step 3 leaves the old state, so the engine that
 * resumes (this one restarted, or another replica) derives the same transition again, with
 * the same notification and delivery ids, and re-commits: what step 2 had written is
 * recreated as a no-op (no repeat), what it had not is created (no loss). Each delivery is
 * then sent by whoever wins its claim, once. A crash after step 3 lost nothing. The fence in
 * step 1 is a check, not a lock (the SQLite store's is atomic): a holder paused between steps
 * 1 and 2 for longer than the rest of its lease could still write after a successor took
 * over. What it writes then is a transition it derived from the state it held: the same one
 * the successor derives carries the same ids (no repeat, still one claim per delivery); its
 * state document may be overwritten by the successor's next commit. Callers keep that window
 * small by committing only with a lease that has time left (renew well before the TTL).
 *
 * Failures are `EngineError`s: `SLO_STORE_UNREACHABLE` (no answer; names the URL),
 * `SLO_STATE_STORE_FAILED` (an error answer; names the URL, index and reason),
 * `SLO_LEASE_LOST` (commit without the lease).
 */
export class ElasticsearchEngineStore implements EngineStore {
  /** The URL without credentials, for messages. */
  readonly url: string;
  readonly indices: EngineStoreIndices;
  readonly #client: Client;
  readonly #replicas: number | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: ElasticsearchEngineStoreOptions) {
    this.url = redactedUrl(options.node);
    this.indices = engineStoreIndices(options.indexPrefix);
    this.#replicas = options.replicas;
    this.#client = new Client({
      node: options.node,
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      maxRetries: options.maxRetries ?? 1,
    });
  }

  /**
   * Creates the four indices with their mappings, or, when one exists, adds any field missing
   * from its mapping. Idempotent, and safe when several processes run it at once.
   */
  async createIndices(): Promise<void> {
    await Promise.all((Object.keys(this.indices) as (keyof EngineStoreIndices)[]).map((role) => this.#createIndex(role)));
  }

  /**
   * Creates one index (the creator's request returns once its primary shard is active), or
   * updates its mapping and waits for its primary shard (another process may have created it
   * an instant ago: reads before the shard starts fail with 503).
   */
  async #createIndex(role: keyof EngineStoreIndices): Promise<void> {
    const index = this.indices[role];
    const mappings = { dynamic: 'strict' as const, _meta: { 'lookout.schema_version': ELASTICSEARCH_ENGINE_STORE_SCHEMA_VERSION }, properties: ENGINE_STORE_MAPPINGS[role] };
    const created = await this.#call('createIndices', index, async () => {
      try {
        await this.#client.indices.create({
          index,
          mappings,
          settings: { number_of_shards: 1, ...(this.#replicas === undefined ? {} : { number_of_replicas: this.#replicas }) },
        });
        return true;
      } catch (error) {
        if (error instanceof errors.ResponseError && errorType(error) === 'resource_already_exists_exception') return false;
        throw error;
      }
    });
    if (created) return;
    await this.#call('createIndices', index, () => this.#client.indices.putMapping({ index, ...mappings }));
    const health = await this.#call('createIndices', index, () => this.#client.cluster.health({ index, wait_for_status: 'yellow', timeout: '30s' }));
    if (health.timed_out) {
      throw new EngineError('SLO_STATE_STORE_FAILED', `engine state ${this.url}: index ${index} has no active primary shard after 30 s (cluster status ${health.status})`, {
        url: this.url,
        index,
        operation: 'createIndices',
      });
    }
  }

  async acquireLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
    await this.#ensureIndices();
    const current = await this.#getLease('acquireLease');
    if (current !== undefined && current.doc.holder !== holder && current.doc.expiresAt > now) return false;
    const renewing = current !== undefined && current.doc.holder === holder && current.doc.expiresAt > now;
    const doc: LeaseDoc = { holder, expiresAt: now + ttlMs, acquiredAt: renewing ? current.doc.acquiredAt : now };
    return this.#call('acquireLease', this.indices.lease, () => this.#putIfUnchanged(this.indices.lease, LEASE_ID, doc, current));
  }

  async releaseLease(holder: string): Promise<void> {
    await this.#ensureIndices();
    const current = await this.#getLease('releaseLease');
    if (current === undefined || current.doc.holder !== holder) return;
    // A 409 means another replica took the lease meanwhile: nothing left to release.
    await this.#call('releaseLease', this.indices.lease, () => this.#putIfUnchanged(this.indices.lease, LEASE_ID, { ...current.doc, expiresAt: 0 }, current));
  }

  async leaseHolder(now: number): Promise<{ readonly holder: string; readonly expiresAt: number } | undefined> {
    await this.#ensureIndices();
    const current = await this.#getLease('leaseHolder');
    return current === undefined || current.doc.expiresAt <= now ? undefined : { holder: current.doc.holder, expiresAt: current.doc.expiresAt };
  }

  async loadStates(): Promise<PersistedSlo[]> {
    await this.#ensureIndices();
    const index = this.indices.state;
    return this.#call('loadStates', index, async () => {
      await this.#client.indices.refresh({ index });
      const response = await this.#client.search<PersistedSlo>({ index, size: MAX_RESULTS, sort: [{ name: 'asc' }], track_total_hits: false });
      return response.hits.hits.map((hit) => hit._source!);
    });
  }

  async commit(
    holder: string,
    now: number,
    update: { readonly state: PersistedSlo; readonly transitions: readonly TransitionRecord[]; readonly deliveries: readonly Delivery[] },
  ): Promise<void> {
    await this.#ensureIndices();
    const lease = await this.#getLease('commit');
    if (lease === undefined || lease.doc.holder !== holder || lease.doc.expiresAt <= now) {
      const current = lease !== undefined && lease.doc.expiresAt > now ? lease.doc.holder : undefined;
      throw new EngineError(
        'SLO_LEASE_LOST',
        `engine state ${this.url} (${this.indices.lease}): ${holder} does not hold the lease at ${new Date(now).toISOString()} (${current === undefined ? 'no holder' : `held by ${current}`}); nothing written for SLO "${update.state.name}"`,
        { url: this.url, index: this.indices.lease, holder, slo: update.state.name, currentHolder: current },
      );
    }
    if (update.deliveries.length > 0 || update.transitions.length > 0) {
      const operations: unknown[] = [];
      for (const delivery of update.deliveries) {
        const doc: DeliveryDoc = { ...delivery, slo: delivery.notification.slo.name, notificationId: delivery.notification.id, claimedBy: null, claimUntil: null };
        operations.push({ create: { _index: this.indices.deliveries, _id: delivery.id } }, doc);
      }
      for (const transition of update.transitions) operations.push({ create: { _index: this.indices.transitions, _id: transition.id } }, transition);
      const response = await this.#call('commit', `${this.indices.deliveries}, ${this.indices.transitions}`, () =>
        this.#client.bulk({ operations, refresh: true }),
      );
      const failed = response.items.map((item) => item.create).find((result) => result !== undefined && result.status !== 201 && result.status !== 409);
      if (failed !== undefined) {
        throw new EngineError(
          'SLO_STATE_STORE_FAILED',
          `engine state ${this.url}: commit of SLO "${update.state.name}" failed writing ${failed._index}/${failed._id}: ${failed.status} ${failed.error?.type ?? ''} ${failed.error?.reason ?? ''}; state not written, the next commit retries`,
          { url: this.url, index: failed._index, id: failed._id, operation: 'commit', status: failed.status },
        );
      }
    }
    await this.#call('commit', this.indices.state, () => this.#client.index({ index: this.indices.state, id: update.state.name, document: update.state }));
  }

  async removeStates(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.#ensureIndices();
    const index = this.indices.state;
    const response = await this.#call('removeStates', index, () => this.#client.bulk({ operations: names.map((name) => ({ delete: { _index: index, _id: name } })) }));
    const failed = response.items.map((item) => item.delete).find((result) => result !== undefined && result.status !== 200 && result.status !== 404);
    if (failed !== undefined) {
      throw new EngineError('SLO_STATE_STORE_FAILED', `engine state ${this.url}: removing state "${failed._id}" from ${index} failed: ${failed.status} ${failed.error?.reason ?? ''}`, {
        url: this.url,
        index,
        operation: 'removeStates',
      });
    }
  }

  async transitions(query: { readonly slo?: string; readonly limit: number }): Promise<TransitionRecord[]> {
    await this.#ensureIndices();
    const index = this.indices.transitions;
    return this.#call('transitions', index, async () => {
      const response = await this.#client.search<TransitionRecord>({
        index,
        size: Math.min(query.limit, MAX_RESULTS),
        track_total_hits: false,
        ...(query.slo === undefined ? {} : { query: { term: { slo: query.slo } } }),
        sort: [{ at: 'desc' }, { id: 'desc' }],
      });
      return response.hits.hits.map((hit) => hit._source!);
    });
  }

  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    await this.#ensureIndices();
    const index = this.indices.deliveries;
    return this.#call('dueDeliveries', index, async () => {
      const response = await this.#client.search<DeliveryDoc>({
        index,
        size: Math.min(limit, MAX_RESULTS),
        track_total_hits: false,
        query: { bool: { filter: [{ term: { status: 'pending' } }, { range: { nextAttemptAt: { lte: now } } }] } },
        sort: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return response.hits.hits.map((hit) => toDelivery(hit._source!));
    });
  }

  async claimDelivery(id: string, holder: string, now: number, until: number): Promise<boolean> {
    await this.#ensureIndices();
    const index = this.indices.deliveries;
    const current = await this.#get<DeliveryDoc>('claimDelivery', index, id);
    if (current === undefined) return false;
    const { doc } = current;
    if (doc.status !== 'pending' || doc.nextAttemptAt > now || (doc.claimedBy !== null && doc.claimUntil !== null && doc.claimUntil > now)) return false;
    return this.#call('claimDelivery', index, () => this.#putIfUnchanged(index, id, { ...doc, claimedBy: holder, claimUntil: until }, current));
  }

  async finishAttempt(id: string, record: AttemptRecord, holder?: string): Promise<void> {
    await this.#ensureIndices();
    const index = this.indices.deliveries;
    // A 409 means the document changed between the read and the write (e.g. a claim by
    // another replica): read again and decide again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.#get<DeliveryDoc>('finishAttempt', index, id);
      if (current === undefined || current.doc.status !== 'pending') return;
      if (holder !== undefined && current.doc.claimedBy !== holder) return;
      const doc: DeliveryDoc = { ...current.doc, ...pickAttempt(record), claimedBy: null, claimUntil: null };
      const written = await this.#call('finishAttempt', index, () => this.#putIfUnchanged(index, id, doc, current, true));
      if (written) return;
    }
    throw new EngineError('SLO_STATE_STORE_FAILED', `engine state ${this.url}: finishAttempt of delivery ${id} in ${index} kept conflicting with concurrent writes`, {
      url: this.url,
      index,
      id,
      operation: 'finishAttempt',
    });
  }

  async deliveries(query: { readonly status?: Delivery['status']; readonly limit: number }): Promise<Delivery[]> {
    await this.#ensureIndices();
    const index = this.indices.deliveries;
    return this.#call('deliveries', index, async () => {
      const response = await this.#client.search<DeliveryDoc>({
        index,
        size: Math.min(query.limit, MAX_RESULTS),
        track_total_hits: false,
        ...(query.status === undefined ? {} : { query: { term: { status: query.status } } }),
        sort: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      return response.hits.hits.map((hit) => toDelivery(hit._source!));
    });
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  /** Creates the indices once per store (again after a failure). */
  #ensureIndices(): Promise<void> {
    this.#ready ??= this.createIndices().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  #getLease(operation: string): Promise<Versioned<LeaseDoc> | undefined> {
    return this.#get<LeaseDoc>(operation, this.indices.lease, LEASE_ID);
  }

  /** Realtime GET by id. */
  async #get<T>(operation: string, index: string, id: string): Promise<Versioned<T> | undefined> {
    const response = await this.#call(operation, index, () => this.#client.get<T>({ index, id }, { ignore: [404] }));
    if (!response.found || response._source === undefined) return undefined;
    return { doc: response._source, seqNo: response._seq_no!, primaryTerm: response._primary_term! };
  }

  /**
   * Writes `doc` at `id` only if it is still the version read (`current`), or creates it when
   * `current` is undefined; false when another writer came first (409).
   */
  async #putIfUnchanged(index: string, id: string, doc: object, current: Versioned<unknown> | undefined, refresh = false): Promise<boolean> {
    try {
      await this.#client.index({
        index,
        id,
        document: doc,
        refresh,
        ...(current === undefined ? { op_type: 'create' as const } : { if_seq_no: current.seqNo, if_primary_term: current.primaryTerm }),
      });
      return true;
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 409) return false;
      throw error;
    }
  }

  /** Runs one call, turning client errors into `EngineError`s naming the URL and index. */
  async #call<T>(operation: string, index: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof EngineError) throw error;
      if (error instanceof errors.ResponseError) {
        const reason = (error.body as { error?: { reason?: string } } | undefined)?.error?.reason ?? error.message;
        throw new EngineError(
          'SLO_STATE_STORE_FAILED',
          `engine state ${this.url}: ${operation} on ${index} failed: ${error.statusCode ?? ''} ${errorType(error) ?? ''} ${reason}`.replace(/\s+/g, ' '),
          { url: this.url, index, operation, status: error.statusCode },
          { cause: error },
        );
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new EngineError(
        'SLO_STORE_UNREACHABLE',
        `engine state: Elasticsearch at ${this.url} is unreachable (${operation} on ${index}): ${message}`,
        { url: this.url, index, operation },
        { cause: error },
      );
    }
  }
}

/** Creates the store's indices (for a setup command); see {@link ElasticsearchEngineStore.createIndices}. */
export async function createEngineStoreIndices(options: ElasticsearchEngineStoreOptions): Promise<EngineStoreIndices> {
  const store = new ElasticsearchEngineStore(options);
  try {
    await store.createIndices();
    return store.indices;
  } finally {
    await store.close();
  }
}

function toDelivery(doc: DeliveryDoc): Delivery {
  return {
    id: doc.id,
    notification: doc.notification as SloNotification,
    channel: doc.channel,
    target: doc.target,
    status: doc.status,
    attempts: doc.attempts,
    nextAttemptAt: doc.nextAttemptAt,
    lastError: doc.lastError,
    createdAt: doc.createdAt,
    deliveredAt: doc.deliveredAt,
  };
}

function pickAttempt(record: AttemptRecord): AttemptRecord {
  return { status: record.status, attempts: record.attempts, nextAttemptAt: record.nextAttemptAt, lastError: record.lastError, deliveredAt: record.deliveredAt };
}

function errorType(error: errors.ResponseError): string | undefined {
  return (error.body as { error?: { type?: string } } | undefined)?.error?.type;
}

function redactedUrl(node: string): string {
  try {
    const url = new URL(node);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return node;
  }
}
