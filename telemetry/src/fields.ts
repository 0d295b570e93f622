import { REQUEST_EVENT_DATASET, type RequestEvent } from './request-event.ts';

/**
 * Elasticsearch field types the contract uses, as Elastic Common Schema declares them. The
 * portable index template substitutes core types for `wildcard`, `match_only_text` and
 * `constant_keyword`.
 */
export type EsFieldType =
  | 'date'
  | 'keyword'
  | 'constant_keyword'
  | 'wildcard'
  | 'text'
  | 'match_only_text'
  | 'long'
  | 'double'
  | 'boolean'
  | 'ip';

/** One field of the request event. */
export interface FieldSpec {
  readonly type: EsFieldType;
  /** Whether the field is defined by Elastic Common Schema (else it is ours, under `lookout.*`). */
  readonly ecs: boolean;
  readonly description: string;
  /** Unit of a numeric field, for dashboards' formatters. */
  readonly unit?: 'ns' | 'ms' | 'bytes';
  /** Extra ways to index the same value: `<path>.<name>` (e.g. `url.original.text`). */
  readonly multiFields?: Readonly<Record<string, EsFieldType>>;
  /** The single value of a `constant_keyword` field. */
  readonly value?: string;
}

type Scalar = string | number | boolean | readonly unknown[];
type LeafPaths<T, Prefix extends string = ''> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Scalar
    ? `${Prefix}${K}`
    : LeafPaths<NonNullable<T[K]>, `${Prefix}${K}.`>;
}[keyof T & string];

/** Dotted path of every leaf of {@link RequestEvent}, e.g. `'http.response.status_code'`. */
export type RequestEventField = LeafPaths<RequestEvent>;

/**
 * THE field list of the request event: the index templates are generated from it, dashboards
 * and the slo-engine take field names and types from it. The type below makes the compiler
 * reject a field missing from, or not in, the schema.
 */
export const REQUEST_EVENT_FIELDS = {
  '@timestamp': { type: 'date', ecs: true, description: 'When the request arrived (same as event.start).' },

  'event.id': { type: 'keyword', ecs: true, description: 'Unique event id (UUIDv7); also the document _id.' },
  'event.kind': { type: 'keyword', ecs: true, description: 'Always "event".' },
  'event.category': { type: 'keyword', ecs: true, description: 'Always ["web"].' },
  'event.type': { type: 'keyword', ecs: true, description: 'Always ["access"].' },
  'event.outcome': { type: 'keyword', ecs: true, description: 'success, failure or unknown; derived from lookout.termination and the status.' },
  'event.duration': { type: 'long', ecs: true, unit: 'ns', description: 'Request arrival to end of the exchange with the client.' },
  'event.start': { type: 'date', ecs: true, description: 'When the request arrived.' },
  'event.end': { type: 'date', ecs: true, description: 'When the exchange with the client ended.' },
  'event.dataset': { type: 'constant_keyword', ecs: true, value: REQUEST_EVENT_DATASET, description: 'Always "lookout.request".' },

  'url.original': { type: 'wildcard', ecs: true, multiFields: { text: 'match_only_text' }, description: 'Request target as received, query parameters redacted.' },
  'url.path': { type: 'wildcard', ecs: true, description: 'Path of the request target.' },
  'url.query': { type: 'keyword', ecs: true, description: 'Query string without "?", redacted.' },
  'url.scheme': { type: 'keyword', ecs: true, description: 'Scheme the client used: http or https.' },
  'url.domain': { type: 'keyword', ecs: true, description: 'Host header without port.' },

  'http.version': { type: 'keyword', ecs: true, description: 'HTTP version of the client request, e.g. "1.1".' },
  'http.request.method': { type: 'keyword', ecs: true, description: 'Request method as received.' },
  'http.request.id': { type: 'keyword', ecs: true, description: 'Request id (x-request-id), received or generated.' },
  'http.request.body.bytes': { type: 'long', ecs: true, unit: 'bytes', description: 'Request body size received from the client.' },
  'http.response.status_code': { type: 'long', ecs: true, description: 'Status sent to the client (499 when it left first).' },
  'http.response.body.bytes': { type: 'long', ecs: true, unit: 'bytes', description: 'Response body size sent to the client.' },

  'source.ip': { type: 'ip', ecs: true, description: 'Peer address of the client connection.' },
  'client.ip': { type: 'ip', ecs: true, description: 'Originating client (trusted forwarding headers, else source.ip).' },
  'destination.address': { type: 'keyword', ecs: true, description: 'Host of the upstream member of the last try.' },
  'destination.port': { type: 'long', ecs: true, description: 'Port of the upstream member of the last try.' },

  'service.name': { type: 'keyword', ecs: true, description: 'Name of the proxy service.' },
  'service.version': { type: 'keyword', ecs: true, description: 'Version of the proxy.' },
  'service.environment': { type: 'keyword', ecs: true, description: 'Deployment environment of the proxy.' },
  'service.node.name': { type: 'keyword', ecs: true, description: 'Proxy instance (pod, host, worker).' },
  'service.target.name': { type: 'keyword', ecs: true, description: 'Upstream service the route selected.' },

  'observer.type': { type: 'keyword', ecs: true, description: 'Always "proxy".' },
  'observer.name': { type: 'keyword', ecs: true, description: 'Name of the proxy instance that observed the request.' },

  'user_agent.original': { type: 'keyword', ecs: true, multiFields: { text: 'match_only_text' }, description: 'User-Agent header.' },
  'trace.id': { type: 'keyword', ecs: true, description: 'W3C trace id.' },
  'span.id': { type: 'keyword', ecs: true, description: 'W3C span id of the proxy span.' },

  'error.type': { type: 'keyword', ecs: true, description: 'Error class name.' },
  'error.code': { type: 'keyword', ecs: true, description: 'Stable error code, e.g. UND_ERR_CONNECT_TIMEOUT.' },
  'error.message': { type: 'match_only_text', ecs: true, description: 'Error message.' },

  'lookout.timing.queue_wait_ms': { type: 'double', ecs: false, unit: 'ms', description: 'Left the pool queue, ms since event.start (0 when not queued).' },
  'lookout.timing.connect_ms': { type: 'double', ecs: false, unit: 'ms', description: 'Upstream connection ready for the request (a new connection includes its handshake), ms since event.start; absent when no try got a connection.' },
  'lookout.timing.upstream_first_byte_ms': { type: 'double', ecs: false, unit: 'ms', description: 'Upstream response headers received, ms since event.start.' },
  'lookout.timing.upstream_last_byte_ms': { type: 'double', ecs: false, unit: 'ms', description: 'Upstream response body received, ms since event.start.' },
  'lookout.timing.client_last_byte_ms': { type: 'double', ecs: false, unit: 'ms', description: 'Exchange with the client over, ms since event.start.' },
  'lookout.connection_reused': { type: 'boolean', ecs: false, description: 'The last try used a pooled keep-alive connection.' },
  'lookout.retries': { type: 'long', ecs: false, description: 'Tries after the first.' },
  'lookout.termination': { type: 'keyword', ecs: false, description: 'Why the request ended (see TERMINATIONS).' },
  'lookout.balancer.type': { type: 'keyword', ecs: false, description: 'Balancer of the pool, e.g. round-robin.' },
  'lookout.balancer.decision': { type: 'keyword', ecs: false, description: 'How the balancer chose the member.' },
  'lookout.upstream.member': { type: 'keyword', ecs: false, description: 'Origin of the upstream member of the last try.' },
  'lookout.upstream.member_id': { type: 'keyword', ecs: false, description: 'Stable short id of that member.' },
  'lookout.upstream.pool': { type: 'keyword', ecs: false, description: 'Pool the member belongs to.' },
  'lookout.upstream.color': { type: 'keyword', ecs: false, description: 'Blue/green colour of the pool.' },
  'lookout.probe': { type: 'boolean', ecs: false, description: 'Health probe traffic; SLIs exclude it.' },
} as const satisfies { readonly [P in RequestEventField]: FieldSpec };

/** Every field path of {@link REQUEST_EVENT_FIELDS}, in table order. */
export const REQUEST_EVENT_FIELD_PATHS = Object.keys(REQUEST_EVENT_FIELDS) as RequestEventField[];
