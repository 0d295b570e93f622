import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '@lookout/log';
import type { ElasticsearchConnectionConfig } from '../config/engine-config-schema.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import { ElasticsearchTrafficSource } from '../dashboard/elasticsearch-traffic-source.ts';
import { SqliteTrafficSource } from '../dashboard/sqlite-traffic-source.ts';
import type { TrafficSource } from '../dashboard/traffic-source.ts';
import { EngineError } from '../engine-error.ts';
import { ElasticsearchEventSource } from '../events/elasticsearch-event-source.ts';
import { createElasticsearchStoreClient, type ElasticsearchStoreConnection } from '../events/elasticsearch-store-client.ts';
import type { EventSource } from '../events/event-source.ts';
import { SqliteEventSource } from '../events/sqlite-event-source.ts';
import type { BudgetSlo, Slo } from '../model/slo.ts';
import { ElasticsearchTickPublisher } from '../outputs/elasticsearch-tick-publisher.ts';
import { ElasticsearchEngineStore } from '../persistence/elasticsearch-engine-store.ts';
import type { EngineStore } from '../persistence/engine-store.ts';
import { SqliteEngineStore } from '../persistence/sqlite-engine-store.ts';
import { ElasticsearchRollupStore } from '../rollups/elasticsearch-rollup-store.ts';
import type { RollupStore } from '../rollups/rollup-store.ts';
import { SqliteRollupStore } from '../rollups/sqlite-rollup-store.ts';
import { WindowCounter, type ReconcileReport } from '../rollups/window-counter.ts';
import { parseDuration } from '../spec/duration.ts';
import { budgetSlisInUse, countBudgetWindows } from './budget-windows.ts';
import type { CountBudgetWindows } from './evaluate-slo.ts';
import type { TickPublisher } from './slo-engine.ts';

/** Everything the engine reads and writes, opened from its config. */
export interface EngineStores {
  readonly source: EventSource;
  /** Traffic charts of the live dashboard, over the same events. */
  readonly traffic: TrafficSource;
  readonly engineStore: EngineStore;
  readonly countBudget: CountBudgetWindows;
  /** Status and transition documents, when an Elasticsearch is configured for them. */
  readonly publisher: TickPublisher | undefined;
  /** Where the engine state lives, for messages. */
  readonly stateLocation: string;
  /** Tells the rollups which SLIs are in use (drops the others, prunes old minutes); call at start and after a reload. */
  retain(slos: readonly Slo[], now: number): Promise<void>;
  /** Re-counts the rolled-up minutes of the last `horizonMs` of the SLIs in use from raw events (late events). */
  reconcileRollups(horizonMs: number, now: number): Promise<ReconcileReport>;
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  readonly instance: string;
  readonly settleMs: number;
  readonly log: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Opens the event source, the engine store, the rollups and the status publisher that the
 * config describes. Rollups live beside the engine state (SQLite file or Elasticsearch).
 * Status documents go to `outputs.elasticsearch`, else to the events' or the state's
 * Elasticsearch, else nowhere (the API and live page still show everything).
 */
export async function openStores(config: EngineConfig, options: OpenStoresOptions): Promise<EngineStores> {
  const env = options.env ?? process.env;
  const clients: Client[] = [];
  const client = (connection: ElasticsearchStoreConnection): Client => {
    const created = createElasticsearchStoreClient(connection);
    clients.push(created);
    return created;
  };

  let source: EventSource;
  let traffic: TrafficSource;
  if (config.events.type === 'embedded') {
    source = new SqliteEventSource({ path: config.events.path });
    traffic = new SqliteTrafficSource({ path: config.events.path });
  } else {
    const connection = storeConnection(config.events, env, 'events');
    const eventsClient = client(connection);
    source = new ElasticsearchEventSource({ ...connection, index: config.events.index, client: eventsClient });
    traffic = new ElasticsearchTrafficSource({ ...connection, index: config.events.index, client: eventsClient });
  }

  let engineStore: EngineStore;
  let rollups: RollupStore;
  let stateLocation: string;
  if (config.state.type === 'sqlite') {
    engineStore = new SqliteEngineStore({ path: config.state.path });
    rollups = new SqliteRollupStore({ path: config.state.path });
    stateLocation = config.state.path;
  } else {
    const connection = storeConnection(config.state, env, 'state');
    engineStore = new ElasticsearchEngineStore({
      node: connection.node,
      ...(connection.auth && { auth: connection.auth }),
      ...(connection.tls?.caFile !== undefined && { tls: { ca: readFileSync(connection.tls.caFile, 'utf8') } }),
      indexPrefix: config.state.prefix,
      ...(connection.requestTimeoutMs !== undefined && { requestTimeoutMs: connection.requestTimeoutMs }),
    });
    rollups = new ElasticsearchRollupStore({ ...connection, index: `${config.state.prefix}rollups`, client: client(connection) });
    stateLocation = `${connection.node} (${config.state.prefix}*)`;
  }

  // Each Elasticsearch rollup write costs a refresh: extend them every 5 minutes, not every minute
  // (measured: 330 ms against 882 ms median for 50 SLOs; the raw tail covers the difference exactly).
  const counter = new WindowCounter({ source, rollups, settleMs: options.settleMs, ...(config.state.type === 'elasticsearch' && { extendEveryMs: 5 * 60_000 }) });
  const outputs = config.outputs.elasticsearch;
  const outputConnection =
    outputs === false
      ? undefined
      : outputs !== undefined
        ? storeConnection(outputs, env, 'outputs.elasticsearch')
        : config.events.type === 'elasticsearch'
          ? storeConnection(config.events, env, 'events')
          : config.state.type === 'elasticsearch'
            ? storeConnection(config.state, env, 'state')
            : undefined;
  const publisher =
    outputConnection &&
    new ElasticsearchTickPublisher({ client: client(outputConnection), observer: options.instance, statusIndex: config.outputs.statusIndex, transitionsIndex: config.outputs.transitionsIndex });

  return {
    source,
    traffic,
    engineStore,
    countBudget: (slo, now) => countBudgetWindows(counter, slo, now),
    publisher,
    stateLocation,
    async retain(slos, now) {
      const budget = slos.filter((slo): slo is BudgetSlo => slo.kind === 'budget');
      const dropped = await counter.retain(budgetSlisInUse(budget), now);
      if (dropped.length > 0) options.log.info({ dropped }, `slo-engine: dropped the rollups of ${dropped.length} SLIs no SLO uses any more`);
    },
    reconcileRollups: (horizonMs, now) => counter.reconcile(horizonMs, now),
    async close() {
      await source.close();
      await traffic.close();
      await rollups.close();
      await engineStore.close();
      for (const opened of clients) await opened.close().catch(() => undefined);
    },
  };
}

/** Connection options from a config section; credentials from the environment variables it names. */
function storeConnection(section: ElasticsearchConnectionConfig, env: Readonly<Record<string, string | undefined>>, path: string): ElasticsearchStoreConnection & { readonly tls?: { readonly caFile?: string } } {
  const read = (name: string | undefined, key: string): string | undefined => {
    if (name === undefined) return undefined;
    const value = env[name];
    if (value === undefined || value === '') {
      throw new EngineError('SLO_ENGINE_CONFIG_INVALID', `${path}.${key}: environment variable ${name} is not set or empty`, { path: `${path}.${key}`, variable: name });
    }
    return value;
  };
  const username = read(section.usernameEnv, 'usernameEnv');
  const password = read(section.passwordEnv, 'passwordEnv');
  const apiKey = read(section.apiKeyEnv, 'apiKeyEnv');
  if ((username === undefined) !== (password === undefined)) {
    throw new EngineError('SLO_ENGINE_CONFIG_INVALID', `${path}: usernameEnv and passwordEnv go together`, { path });
  }
  return {
    node: section.node,
    ...(apiKey !== undefined ? { auth: { apiKey } } : username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    ...(section.caFile !== undefined && { tls: { caFile: section.caFile } }),
    requestTimeoutMs: parseDuration(section.requestTimeout) ?? 30_000,
  };
}
