import type { TerminationCode } from '@lookout/telemetry';

/**
 * Every failure the proxy answers for itself, with its stable code, HTTP status and the
 * Envoy-style termination code that telemetry records. Callers branch on `code`; operators
 * grep it. Data, not branches: add a row to add an error.
 */
export const PROXY_ERRORS = {
  PROXY_NO_ROUTE: { status: 404, termination: 'no_route', message: 'no service is configured for this host and path' },
  PROXY_BAD_REQUEST: { status: 400, termination: 'bad_request', message: 'the request is malformed' },
  PROXY_BAD_REQUEST_TARGET: { status: 400, termination: 'bad_request', message: 'absolute-form request target names a host this proxy does not serve' },
  PROXY_REQUEST_HEADERS_TOO_LARGE: { status: 431, termination: 'request_headers_too_large', message: 'request headers exceed the configured limit' },
  PROXY_REQUEST_HEADERS_TIMEOUT: { status: 408, termination: 'client_headers_timeout', message: 'the client did not send complete request headers in time' },
  PROXY_REQUEST_BODY_TOO_LARGE: { status: 413, termination: 'request_body_too_large', message: 'request body exceeds the configured limit' },
  PROXY_NO_HEALTHY_UPSTREAM: { status: 503, termination: 'no_healthy_upstream', message: 'no healthy upstream member is available' },
  PROXY_OVERFLOW: { status: 503, termination: 'overflow', message: 'the upstream pool is at its concurrency limit and its queue is full' },
  PROXY_QUEUE_TIMEOUT: { status: 503, termination: 'queue_timeout', message: 'the request waited too long for a free upstream slot' },
  PROXY_UPSTREAM_CONNECT_FAILED: { status: 502, termination: 'upstream_connect_failure', message: 'could not connect to the upstream' },
  PROXY_UPSTREAM_CONNECT_TIMEOUT: { status: 504, termination: 'upstream_connect_timeout', message: 'connecting to the upstream timed out' },
  PROXY_UPSTREAM_HEADERS_TIMEOUT: { status: 504, termination: 'upstream_headers_timeout', message: 'the upstream did not send response headers in time' },
  PROXY_UPSTREAM_BODY_TIMEOUT: { status: 504, termination: 'upstream_body_timeout', message: 'the upstream response body stalled' },
  PROXY_REQUEST_TIMEOUT: { status: 504, termination: 'request_timeout', message: 'the request exceeded its total time limit' },
  PROXY_UPSTREAM_RESET: { status: 502, termination: 'upstream_reset', message: 'the upstream closed the connection before completing the response' },
  PROXY_UPSTREAM_PROTOCOL_ERROR: { status: 502, termination: 'upstream_protocol_error', message: 'the upstream sent an invalid HTTP response' },
  PROXY_CLIENT_ABORT: { status: 499, termination: 'client_abort', message: 'the client closed the connection before the response completed' },
  PROXY_DRAINING: { status: 503, termination: 'draining', message: 'the proxy is shutting down' },
} as const satisfies Record<string, { status: number; termination: TerminationCode; message: string }>;

export type ProxyErrorCode = keyof typeof PROXY_ERRORS;

/** A failure the proxy reports to the client as a JSON error with a stable code. */
export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly status: number;
  readonly termination: TerminationCode;

  constructor(code: ProxyErrorCode, detail?: string, options?: ErrorOptions) {
    const entry = PROXY_ERRORS[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message, options);
    this.name = 'ProxyError';
    this.code = code;
    this.status = entry.status;
    this.termination = entry.termination;
  }
}

/** The JSON body of every error response the proxy writes itself. */
export function errorBody(code: ProxyErrorCode, message: string, requestId?: string): string {
  return JSON.stringify({ error: { code, message, ...(requestId ? { requestId } : {}) } });
}
