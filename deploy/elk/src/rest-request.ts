import { authorizationHeader, type Credentials } from './credentials.ts';

/** An HTTP answer with its body read as text. */
export interface RestResponse {
  readonly status: number;
  readonly text: string;
}

/** One request to a REST endpoint (Elasticsearch or Kibana). */
export interface RestRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  readonly path: string;
  /** A plain object is sent as JSON; FormData as multipart. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where and how to send requests. */
export interface RestEndpoint {
  readonly url: string;
  readonly credentials: Credentials;
  /** Per request, in milliseconds. */
  readonly timeoutMs: number;
}

/**
 * Sends one request. Rejects only when no HTTP answer arrived (connection refused, DNS, TLS,
 * timeout); every status is returned for the caller to judge.
 */
export async function sendRestRequest(endpoint: RestEndpoint, request: RestRequest): Promise<RestResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  const authorization = authorizationHeader(endpoint.credentials);
  if (authorization !== undefined) headers.authorization = authorization;
  let body: string | FormData | undefined;
  if (request.body instanceof FormData) {
    body = request.body;
  } else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(new URL(request.path, endpoint.url), {
    method: request.method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(endpoint.timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

/** `error.cause.code` or the message of a failed fetch, for one readable line. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer in time';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
    if (cause?.message) return cause.message;
    return error.message;
  }
  return String(error);
}

/** One line naming what an Elasticsearch or Kibana error body says: `type: reason <- cause`, or the body's start. */
export function describeErrorBody(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (body.error !== undefined && typeof body.error === 'object' && body.error !== null) {
      return `${status} ${describeCauseChain(body.error)}`;
    }
    if (typeof body.message === 'string') return `${status} ${body.message}`;
    if (typeof body.error === 'string') return `${status} ${body.error}`;
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  const snippet = text.trim().slice(0, 200);
  return snippet ? `${status} ${snippet}` : `${status}`;
}

interface ErrorCause {
  readonly type?: string;
  readonly reason?: string | null;
  readonly caused_by?: ErrorCause;
}

function describeCauseChain(error: object): string {
  const parts: string[] = [];
  let cause = error as ErrorCause | undefined;
  for (let depth = 0; cause !== undefined && cause !== null && typeof cause === 'object' && depth < 5; depth++) {
    parts.push(cause.reason ? `${cause.type ?? 'error'}: ${cause.reason}` : (cause.type ?? 'error'));
    cause = cause.caused_by;
  }
  return parts.join(' <- ');
}
