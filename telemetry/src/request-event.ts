import { z } from 'zod';
import { TERMINATION_CODES } from './termination.ts';

/** `event.dataset` of every request event. */
export const REQUEST_EVENT_DATASET = 'lookout.request';

/** Version of this contract; bumped on every change to the schema or the field list. */
export const REQUEST_EVENT_SCHEMA_VERSION = 1;

const isoTime = z.iso.datetime();
const ip = z.union([z.ipv4(), z.ipv6()]);
const bytes = z.int().nonnegative();
/** Milliseconds since `event.start`, fractional (producers round to 1 µs). */
const offsetMs = z.number().nonnegative();

/**
 * One request through the proxy, as stored in Elasticsearch (ECS names, nested objects).
 * Every object is strict, like the index mapping: an unknown field is an error, not a surprise.
 *
 * Validate with it in tests, sinks and replay; the proxy builds events directly on the hot path.
 */
export const requestEventSchema = z.strictObject({
  /** Request arrival, same instant as `event.start`. */
  '@timestamp': isoTime,
  event: z.strictObject({
    id: z.uuid(),
    kind: z.literal('event'),
    category: z.tuple([z.literal('web')]),
    type: z.tuple([z.literal('access')]),
    outcome: z.enum(['success', 'failure', 'unknown']),
    /** Nanoseconds from request arrival to the end of the exchange with the client. */
    duration: z.int().nonnegative(),
    start: isoTime,
    end: isoTime,
    dataset: z.literal(REQUEST_EVENT_DATASET),
  }),
  url: z.strictObject({
    /** Request target as received (origin-form), query redacted. */
    original: z.string().min(1),
    path: z.string().min(1),
    /** Without the leading `?`, redacted; absent when the target has none. */
    query: z.string().optional(),
    scheme: z.enum(['http', 'https']),
    /** Host header without port, lower case. */
    domain: z.string(),
  }),
  http: z.strictObject({
    version: z.string().min(1),
    request: z.strictObject({
      method: z.string().min(1),
      id: z.string().optional(),
      body: z.strictObject({ bytes }),
    }),
    response: z.strictObject({
      status_code: z.int().min(100).max(599),
      body: z.strictObject({ bytes }),
    }),
  }),
  /** Peer address of the TCP connection. */
  source: z.strictObject({ ip }),
  /** Originating client: from trusted forwarding headers, else `source.ip`. */
  client: z.strictObject({ ip }),
  /** The upstream member of the last try; absent when none was chosen. */
  destination: z
    .strictObject({
      address: z.string().min(1),
      port: z.int().min(1).max(65535),
    })
    .optional(),
  /** The proxy itself; `target` is the upstream service (absent when no route matched). */
  service: z.strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    environment: z.string().optional(),
    node: z.strictObject({ name: z.string().min(1) }),
    target: z.strictObject({ name: z.string().min(1) }).optional(),
  }),
  observer: z.strictObject({
    type: z.literal('proxy'),
    name: z.string().min(1),
  }),
  user_agent: z.strictObject({ original: z.string() }).optional(),
  /** W3C trace context ids (propagated from `traceparent`, else generated). */
  trace: z.strictObject({ id: z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lower-case hex digits') }),
  span: z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 lower-case hex digits') }),
  /** The last error met, even when a retry then succeeded; absent when none. */
  error: z
    .strictObject({
      /** Error class name, e.g. `ConnectTimeoutError`. */
      type: z.string().optional(),
      /** Stable code, e.g. `UND_ERR_CONNECT_TIMEOUT`, `ECONNREFUSED`. */
      code: z.string().optional(),
      message: z.string().optional(),
    })
    .optional(),
  lookout: z.strictObject({
    /**
     * Milestones of the last try, each in ms since `event.start`; phase durations are their
     * differences (connect time = `connect_ms - queue_wait_ms`). Absent when never reached.
     */
    timing: z.strictObject({
      /** Left the pool queue (0 when not queued). */
      queue_wait_ms: offsetMs,
      /** The request got an upstream connection (a new one includes its handshake); absent when no try got one. */
      connect_ms: offsetMs.optional(),
      /** Upstream response headers received. */
      upstream_first_byte_ms: offsetMs.optional(),
      /** Upstream response body fully received. */
      upstream_last_byte_ms: offsetMs.optional(),
      /** Exchange with the client over: last byte written, or the abort/error that ended it. */
      client_last_byte_ms: offsetMs,
    }),
    /** Whether the last try used a pooled keep-alive connection. */
    connection_reused: z.boolean().optional(),
    /** Tries after the first (0 when the first try answered or none was made). */
    retries: z.int().nonnegative(),
    termination: z.enum(TERMINATION_CODES),
    balancer: z
      .strictObject({
        type: z.string().min(1),
        decision: z.string().min(1),
      })
      .optional(),
    upstream: z
      .strictObject({
        /** Member origin, e.g. `http://127.0.0.1:9001`. */
        member: z.string().min(1),
        member_id: z.string().min(1),
        pool: z.string().min(1),
        /** Blue/green release colour of the pool. */
        color: z.string().optional(),
      })
      .optional(),
    /** Health probe traffic, excluded from SLIs. */
    probe: z.boolean(),
  }),
});

/** One request event, as the proxy emits it and Elasticsearch stores it. */
export type RequestEvent = z.infer<typeof requestEventSchema>;

/** Thrown by {@link parseRequestEvent}; `issues` holds one `path: problem` line per problem. */
export class InvalidRequestEventError extends Error {
  override readonly name = 'InvalidRequestEventError';
  readonly code = 'LOOKOUT_INVALID_REQUEST_EVENT';
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid request event:\n  ${issues.join('\n  ')}`);
    this.issues = issues;
  }
}

/** Validates `input` as a {@link RequestEvent}; throws {@link InvalidRequestEventError} listing every problem. */
export function parseRequestEvent(input: unknown): RequestEvent {
  const result = requestEventSchema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidRequestEventError(result.error.issues.map(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  let path = '';
  for (const key of issue.path) path += typeof key === 'number' ? `[${key}]` : path ? `.${String(key)}` : String(key);
  return `${path || '(event)'}: ${issue.message}`;
}
