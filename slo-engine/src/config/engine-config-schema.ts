import { SLO_STATUS_INDEX, SLO_TRANSITIONS_INDEX } from '@lookout/telemetry';
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../spec/duration.ts';

const duration = z
  .string()
  .regex(DURATION_PATTERN, { error: 'expected a duration such as "30s", "5m" or "1h"' })
  .refine((text) => (parseDuration(text) ?? 1) > 0, 'expected a duration longer than 0');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/** How to reach an Elasticsearch; credentials only by environment variable name. */
export const elasticsearchConnectionSchema = z.strictObject({
  node: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as "http://127.0.0.1:9200"' }),
  /** Environment variables holding basic-auth credentials, or an API key. */
  usernameEnv: envName.optional(),
  passwordEnv: envName.optional(),
  apiKeyEnv: envName.optional(),
  /** CA certificate file for https. */
  caFile: z.string().min(1).optional(),
  requestTimeout: duration.default('30s'),
});
export type ElasticsearchConnectionConfig = z.infer<typeof elasticsearchConnectionSchema>;

const embeddedEvents = z.strictObject({
  type: z.literal('embedded'),
  /** The proxy's embedded telemetry file (its `telemetry.embedded.path`). */
  path: z.string().min(1).default('data/telemetry.sqlite'),
});
const elasticsearchEvents = z.strictObject({
  type: z.literal('elasticsearch'),
  ...elasticsearchConnectionSchema.shape,
  /** Index, alias or data stream of the request events. */
  index: z.string().min(1).default('lookout-requests'),
});

const sqliteState = z.strictObject({
  type: z.literal('sqlite'),
  /** The engine's own file: states, hold timers, transitions, outbox, lease, rollups. */
  path: z.string().min(1).default('data/slo-engine.sqlite'),
});
const elasticsearchState = z.strictObject({
  type: z.literal('elasticsearch'),
  ...elasticsearchConnectionSchema.shape,
  /** Prefix of the engine's indices (state, transitions, deliveries, lease, rollups). */
  prefix: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case index name prefix').default('lookout-slo-engine-'),
});

/** The engine config file, without the notifiers section (see engine-config.ts). */
export const engineCoreConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65_535).default(8090),
    })
    .default({ host: '127.0.0.1', port: 8090 }),
  /** Name of this engine instance in documents, logs and the lease (default: host name and pid). */
  instance: z.string().min(1).optional(),
  /** The SLO spec file, relative to this config file. */
  slos: z.string().min(1),
  /** How often every SLO is evaluated. */
  tick: duration.default('30s'),
  /** Events younger than this are read raw, never from rollups: they may still be arriving. */
  settle: duration.default('5m'),
  /**
   * Re-counting of the minutes already rolled up, for events that arrive later than `settle`
   * (a proxy's spool replaying after an Elasticsearch outage): every `every`, the rolled-up
   * minutes of the last `horizon` are counted again from raw events. At least `settle`.
   */
  reconcile: z
    .strictObject({
      /** How often (on the replica holding the lease). */
      every: duration.default('10m'),
      /** How far back; an event arriving later than this after its minute stays missing from the rollups. */
      horizon: duration.default('6h'),
    })
    .prefault({}),
  events: z.discriminatedUnion('type', [embeddedEvents, elasticsearchEvents]).default({ type: 'embedded', path: 'data/telemetry.sqlite' }),
  state: z.discriminatedUnion('type', [sqliteState, elasticsearchState]).default({ type: 'sqlite', path: 'data/slo-engine.sqlite' }),
  lease: z.strictObject({ ttl: duration.optional() }).default({}),
  /** Where status and transition documents go for Kibana (default: the events' or the state's Elasticsearch, if any). */
  outputs: z
    .strictObject({
      elasticsearch: z.union([z.literal(false), elasticsearchConnectionSchema]).optional(),
      /** Index (or write alias) of the status documents. */
      statusIndex: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case index name').default(SLO_STATUS_INDEX),
      /** Index (or write alias) of the transition documents. */
      transitionsIndex: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case index name').default(SLO_TRANSITIONS_INDEX),
    })
    .prefault({}),
  links: z
    .strictObject({
      /** Public base URL of this engine, for links in notifications. */
      baseUrl: z.url().optional(),
      /** Dashboard URL for links in notifications (default: the engine's live page). */
      dashboard: z.url().optional(),
    })
    .default({}),
}).superRefine(checkReconcileHorizon);

/** A horizon shorter than `settle` would re-count no minute: minutes are rolled up only once settled. */
function checkReconcileHorizon(config: { readonly settle: string; readonly reconcile: { readonly horizon: string } }, ctx: z.RefinementCtx): void {
  const settleMs = parseDuration(config.settle);
  const horizonMs = parseDuration(config.reconcile.horizon);
  if (settleMs !== undefined && horizonMs !== undefined && horizonMs < settleMs) {
    ctx.addIssue({ code: 'custom', path: ['reconcile', 'horizon'], message: `expected at least settle (${config.settle}): minutes are rolled up only once settled` });
  }
}
