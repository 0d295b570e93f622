import { TERMINATIONS, type TerminationCode } from '@lookout/telemetry';

/**
 * Every failure the proxy answers for itself, with its stable code and the Envoy-style
 * termination code that telemetry records; the HTTP status is the one the termination implies
 * (telemetry's TERMINATIONS table, see {@link proxyErrorStatus}). Callers branch on `code`; operators
 * grep it. Data, not branches: add a row to add an error.
 */
export const PROXY_ERRORS = {
  PROXY_NO_ROUTE: { termination: 'no_route', message: 'no service is configured for this host and path' },
  PROXY_BAD_REQUEST: { termination: 'bad_request', message: 'the request is malformed' },
  PROXY_BAD_REQUEST_TARGET: { termination: 'bad_request', message: 'absolute-form request target names a host this proxy does not serve' },
  PROXY_BAD_HOST: { termination: 'bad_request', message: 'the request needs exactly one valid Host header (RFC 9112 section 3.2)' },
  PROXY_REQUEST_HEADERS_TOO_LARGE: { termination: 'request_headers_too_large', message: 'request headers exceed the configured limit' },
  PROXY_REQUEST_HEADERS_TIMEOUT: { termination: 'client_headers_timeout', message: 'the client did not send complete request headers in time' },
  PROXY_REQUEST_BODY_TIMEOUT: { termination: 'client_body_timeout', message: 'the client did not send the whole request body in time' },
  PROXY_REQUEST_BODY_TOO_LARGE: { termination: 'request_body_too_large', message: 'request body exceeds the configured limit' },
  PROXY_NO_HEALTHY_UPSTREAM: { termination: 'no_healthy_upstream', message: 'no healthy upstream member is available' },
  PROXY_OVERFLOW: { termination: 'overflow', message: 'the upstream pool is at its concurrency limit and its queue is full' },
  PROXY_QUEUE_TIMEOUT: { termination: 'queue_timeout', message: 'the request waited too long for a free upstream slot' },
  PROXY_UPSTREAM_CONNECT_FAILED: { termination: 'upstream_connect_failure', message: 'could not connect to the upstream' },
  PROXY_UPSTREAM_CONNECT_TIMEOUT: { termination: 'upstream_connect_timeout', message: 'connecting to the upstream timed out' },
  PROXY_UPSTREAM_HEADERS_TIMEOUT: { termination: 'upstream_headers_timeout', message: 'the upstream did not send response headers in time' },
  PROXY_UPSTREAM_BODY_TIMEOUT: { termination: 'upstream_body_timeout', message: 'the upstream response body stalled' },
  PROXY_REQUEST_TIMEOUT: { termination: 'request_timeout', message: 'the request exceeded its total time limit' },
  PROXY_UPSTREAM_RESET: { termination: 'upstream_reset', message: 'the upstream closed the connection before completing the response' },
  PROXY_UPSTREAM_PROTOCOL_ERROR: { termination: 'upstream_protocol_error', message: 'the upstream sent an invalid HTTP response' },
  PROXY_CLIENT_ABORT: { termination: 'client_abort', message: 'the client closed the connection before the response completed' },
  PROXY_DRAINING: { termination: 'draining', message: 'the proxy is shutting down' },
} as const satisfies Record<string, { termination: TerminationCode; message: string }>;

export type ProxyErrorCode = keyof typeof PROXY_ERRORS;

/** The HTTP status the proxy answers a failure with. */
export function proxyErrorStatus(code: ProxyErrorCode): number {
  return TERMINATIONS[PROXY_ERRORS[code].termination].status;
}

/** A failure the proxy reports to the client as a JSON error with a stable code. */
export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly status: number;
  readonly termination: TerminationCode;
  /** What the message adds to the code's own text (e.g. which member, after how long). */
  readonly detail: string | undefined;

  constructor(code: ProxyErrorCode, detail?: string, options?: ErrorOptions) {
    const entry = PROXY_ERRORS[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message, options);
    this.name = 'ProxyError';
    this.code = code;
    this.detail = detail;
    this.status = proxyErrorStatus(code);
    this.termination = entry.termination;
  }
}

/** The JSON body of every error response the proxy writes itself. */
export function errorBody(code: ProxyErrorCode, message: string, requestId?: string): string {
  return JSON.stringify({ error: { code, message, ...(requestId ? { requestId } : {}) } });
}
