/**
 * Why a request ended, Envoy-style (`%RESPONSE_FLAGS%`, spelled out). Exactly one per event, in
 * `lookout.termination`. `status` is what the proxy answers when it writes the response itself;
 * `null` means the status is whoever else's (the upstream's, or a local endpoint's). `outcome`
 * is the `event.outcome` it implies; `null` means "from the status" (see {@link eventOutcome}).
 *
 * When a response was already under way (headers sent) the status on the event stays the one
 * the client received; only the termination code tells that the body was cut.
 */
export const TERMINATIONS = {
  ok: { status: null, outcome: null, description: 'The upstream answered and the whole response reached the client.' },
  local: { status: null, outcome: null, description: 'Answered by the proxy itself (e.g. /health); no upstream involved.' },
  no_route: { status: 404, outcome: 'failure', description: 'No virtual host or path prefix matched the request.' },
  no_healthy_upstream: { status: 503, outcome: 'failure', description: 'The pool had no member available (all unhealthy, ejected or already tried).' },
  upstream_connect_failure: { status: 502, outcome: 'failure', description: 'Connecting to the upstream member failed (refused, unreachable, DNS, TLS).' },
  upstream_connect_timeout: { status: 504, outcome: 'failure', description: 'Connecting to the upstream member took longer than the connect timeout.' },
  upstream_headers_timeout: { status: 504, outcome: 'failure', description: 'The upstream did not send response headers within the headers timeout.' },
  upstream_body_timeout: { status: 504, outcome: 'failure', description: 'The upstream response body stayed idle longer than the body timeout.' },
  upstream_reset: { status: 502, outcome: 'failure', description: 'The upstream closed or reset the connection before the response was complete.' },
  upstream_protocol_error: { status: 502, outcome: 'failure', description: 'The upstream sent an invalid HTTP response.' },
  request_timeout: { status: 504, outcome: 'failure', description: 'The request exceeded the total (end-to-end) timeout.' },
  client_abort: { status: 499, outcome: 'unknown', description: 'The client went away before the response was complete (499 when no status had been sent).' },
  overflow: { status: 503, outcome: 'failure', description: 'The pool was at its concurrency limit and its queue was full.' },
  queue_timeout: { status: 503, outcome: 'failure', description: 'The request waited in the pool queue longer than the queue timeout.' },
  bad_request: { status: 400, outcome: 'failure', description: 'The client sent a request the proxy could not parse or forward.' },
  request_headers_too_large: { status: 431, outcome: 'failure', description: 'The request headers exceeded the header size limit.' },
  request_body_too_large: { status: 413, outcome: 'failure', description: 'The request body exceeded the body size limit.' },
  client_headers_timeout: { status: 408, outcome: 'failure', description: 'The client did not finish sending request headers in time.' },
  client_body_timeout: { status: 408, outcome: 'failure', description: 'The client request body stayed idle longer than the body timeout.' },
  draining: { status: 503, outcome: 'failure', description: 'The proxy was shutting down and refused new work.' },
  internal_error: { status: 500, outcome: 'failure', description: 'A bug or unexpected condition in the proxy itself.' },
} as const satisfies Record<string, TerminationSpec>;

/** One row of {@link TERMINATIONS}. */
export interface TerminationSpec {
  readonly status: number | null;
  readonly outcome: EventOutcome | null;
  readonly description: string;
}

/** ECS `event.outcome` values. */
export type EventOutcome = 'success' | 'failure' | 'unknown';

/** A termination code: a key of {@link TERMINATIONS}. */
export type TerminationCode = keyof typeof TERMINATIONS;

/** All termination codes, in table order. */
export const TERMINATION_CODES = Object.keys(TERMINATIONS) as [TerminationCode, ...TerminationCode[]];

/**
 * `event.outcome` for a finished request: the termination's own outcome, else from the status
 * as Elastic APM does for HTTP servers (5xx failure, anything else success).
 */
export function eventOutcome(termination: TerminationCode, statusCode: number): EventOutcome {
  return TERMINATIONS[termination].outcome ?? (statusCode >= 500 ? 'failure' : 'success');
}
