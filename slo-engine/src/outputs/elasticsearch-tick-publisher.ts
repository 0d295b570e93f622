import type { Client } from '@elastic/elasticsearch';
import { SLO_STATUS_INDEX, SLO_TRANSITIONS_INDEX, sloStatusMappings, sloTransitionMappings } from '@lookout/telemetry';
import { EngineError } from '../engine-error.ts';
import type { TickPublisher } from '../engine/slo-engine.ts';
import type { SloView } from '../engine/slo-view.ts';
import type { TransitionRecord } from '../persistence/engine-store.ts';
import { statusDocument, transitionDocument } from './slo-documents.ts';

export interface ElasticsearchTickPublisherOptions {
  readonly client: Client;
  /** Engine instance name, written as `observer.name`. */
  readonly observer: string;
  readonly statusIndex?: string;
  readonly transitionsIndex?: string;
}

/**
 * Writes one status document per SLO per tick and one document per transition, for Kibana and
 * Grafana. Ids are deterministic (SLO + tick, transition id) and written with `create`, so a
 * retried or duplicated write stores nothing twice. Creates the indices with their strict
 * mappings on first use.
 */
export class ElasticsearchTickPublisher implements TickPublisher {
  readonly #client: Client;
  readonly #observer: string;
  readonly #statusIndex: string;
  readonly #transitionsIndex: string;
  #ready: Promise<void> | undefined;

  constructor(options: ElasticsearchTickPublisherOptions) {
    this.#client = options.client;
    this.#observer = options.observer;
    this.#statusIndex = options.statusIndex ?? SLO_STATUS_INDEX;
    this.#transitionsIndex = options.transitionsIndex ?? SLO_TRANSITIONS_INDEX;
  }

  /** Creates both indices if absent (idempotent). */
  async ensureIndices(): Promise<void> {
    for (const [index, mappings] of [
      [this.#statusIndex, sloStatusMappings()],
      [this.#transitionsIndex, sloTransitionMappings()],
    ] as const) {
      const exists = await this.#client.indices.exists({ index });
      if (exists) continue;
      try {
        await this.#client.indices.create({ index, mappings: mappings as never, settings: { number_of_shards: 1, number_of_replicas: 0 } });
      } catch (error) {
        if ((error as { body?: { error?: { type?: string } } }).body?.error?.type !== 'resource_already_exists_exception') throw error;
      }
    }
  }

  async publish(at: number, views: readonly SloView[], transitions: readonly TransitionRecord[]): Promise<void> {
    this.#ready ??= this.ensureIndices().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    const operations: unknown[] = [];
    for (const view of views) {
      if (view.evaluatedAt !== at) continue;
      const doc = statusDocument(view, at, this.#observer);
      operations.push({ create: { _index: this.#statusIndex, _id: doc.event.id } }, doc);
    }
    for (const transition of transitions) {
      const doc = transitionDocument(transition, views.find((view) => view.slo.name === transition.slo), this.#observer);
      operations.push({ create: { _index: this.#transitionsIndex, _id: doc.event.id } }, doc);
    }
    if (operations.length === 0) return;
    const response = await this.#client.bulk({ operations });
    if (!response.errors) return;
    const failures = response.items.flatMap((item) => {
      const result = item.create;
      return result?.error && result.status !== 409 ? [`${result._id}: ${result.error.type}: ${result.error.reason ?? ''}`] : [];
    });
    if (failures.length > 0) {
      throw new EngineError('SLO_STORE_QUERY_FAILED', `Elasticsearch rejected ${failures.length} SLO documents, first: ${failures[0]}`, { failures: failures.slice(0, 5) });
    }
  }
}
