import { DEFAULT_REDACTED_QUERY_PARAMS, REQUEST_EVENTS_TARGET } from '@lookout/telemetry';
import { z } from 'zod';
import { byteSize, duration } from '../config/duration.ts';

const DAY_MS = 86_400_000;

const nodeUrl = z.string().refine(
  (text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.username && !url.password;
  },
  { message: 'expected an Elasticsearch URL such as "http://127.0.0.1:9200" (http or https, no query, credentials in username/password/apiKey)' },
);

const embedded = z.strictObject({
  /** SQLite file (WAL mode); its directory is created when missing. */
  path: z.string().min(1).default('data/telemetry.sqlite'),
  /** Rows older than this are deleted (every minute, in bounded chunks); 0 keeps everything. */
  retention: duration.default(35 * DAY_MS),
});

const elasticsearch = z
  .strictObject({
    node: nodeUrl.default('http://127.0.0.1:9200'),
    /** Basic auth; `LOOKOUT_ES_USERNAME` / `LOOKOUT_ES_PASSWORD` fill them when absent. */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    /** `Authorization: ApiKey <apiKey>` (the base64 "id:key" form); `LOOKOUT_ES_API_KEY` when absent. */
    apiKey: z.string().min(1).optional(),
    /** Write target: the alias (portable) or data stream (production). */
    index: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case index name such as "lookout-requests"')
      .default(REQUEST_EVENTS_TARGET),
    /**
     * Installed on start: `portable` (core-only clusters: plain indices behind a write alias,
     * bootstrapped when missing), `production` (ECS types, data stream, ILM), `none` (the
     * operator manages templates and indices; nothing is installed).
     */
    template: z.enum(['portable', 'production', 'none']).default('portable'),
    /** `production` only: install and use the ILM policy. */
    ilm: z.boolean().default(true),
    /** Events per bulk request. */
    batchSize: z.number().int().min(1).max(10_000).default(1000),
    /** Longest time an event waits in memory before its bulk request is sent (or spooled). */
    flushInterval: duration.default(1000),
    /** Whole bulk request (headers and body); a slower Elasticsearch is treated as down. */
    requestTimeout: duration.default(30_000),
    connectTimeout: duration.default(5_000),
    /** Sealed batches waiting behind the one in flight; more means Elasticsearch is too slow: spool. */
    maxPendingBatches: z.number().int().min(0).max(16).default(2),
    /** Retry delays after a failure: exponential from `min` to `max`, with jitter. */
    backoff: z
      .strictObject({ min: duration.default(500), max: duration.default(30_000) })
      .prefault({}),
    tls: z
      .strictObject({
        /** PEM file of the CA that signed the cluster's certificate. */
        caFile: z.string().min(1).optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .prefault({}),
  })
  .superRefine((es, ctx) => {
    if (es.apiKey !== undefined && es.username !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'give either apiKey or username/password, not both' });
    }
    if (es.password !== undefined && es.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'password is set but username is missing' });
    }
  });

const spool = z.strictObject({
  /** Segment files live in numbered slots below it, one per running process. */
  directory: z.string().min(1).default('data/telemetry-spool'),
  /** Total size of the segments of one process; past it `whenFull` decides. */
  maxBytes: byteSize.default(1024 ** 3),
  /** Size at which a segment is closed and the next one started. */
  segmentBytes: byteSize.default(8 * 1024 ** 2),
  /** `drop-oldest` deletes the oldest segments to make room; `drop-newest` refuses what does not fit. */
  whenFull: z.enum(['drop-oldest', 'drop-newest']).default('drop-oldest'),
  /**
   * Longest time written spool data stays unsynced (fdatasync); 0 syncs after every write.
   * Matters for power loss and kernel crashes: a killed process loses nothing already written.
   */
  fsyncInterval: duration.default(1000),
});

/** The `telemetry:` section of the proxy config. */
export const telemetryConfigSchema = z
  .strictObject({
    /** `embedded` (SQLite file, the default), `elasticsearch`, or `none` (events are counted and discarded). */
    sink: z.enum(['embedded', 'elasticsearch', 'none']).default('embedded'),
    embedded: embedded.prefault({}),
    elasticsearch: elasticsearch.prefault({}),
    queue: z
      .strictObject({
        /** Events held in memory between the request path and the batcher. */
        capacity: z.number().int().min(16).max(1_000_000).default(8192),
        /** `drop-newest` refuses new events when full; `drop-oldest` overwrites the oldest. */
        whenFull: z.enum(['drop-newest', 'drop-oldest']).default('drop-newest'),
      })
      .prefault({}),
    spool: spool.prefault({}),
    /** On shutdown, time given to deliver what is queued before the rest goes to the spool. */
    closeTimeout: duration.default(5_000),
    /** Query parameters whose values are recorded as `REDACTED`. */
    redactQueryParams: z.array(z.string()).default([...DEFAULT_REDACTED_QUERY_PARAMS]),
  })
  .superRefine((config, ctx) => {
    if (config.spool.segmentBytes > config.spool.maxBytes) {
      ctx.addIssue({ code: 'custom', path: ['spool', 'segmentBytes'], message: 'must not exceed spool.maxBytes' });
    }
  });

/** The validated `telemetry:` section, defaults applied. */
export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
export type ElasticsearchSinkConfig = TelemetryConfig['elasticsearch'];
export type EmbeddedSinkConfig = TelemetryConfig['embedded'];
export type SpoolConfig = TelemetryConfig['spool'];
