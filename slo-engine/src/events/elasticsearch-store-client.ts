import { readFileSync } from 'node:fs';
import { Client, errors } from '@elastic/elasticsearch';
import { EngineError } from '../engine-error.ts';

/** How the engine reaches an Elasticsearch (events or its own rollups). */
export interface ElasticsearchStoreConnection {
  /** Base URL, e.g. `http://127.0.0.1:9200`. */
  readonly node: string;
  readonly auth?: { readonly username: string; readonly password: string } | { readonly apiKey: string };
  /** For https: a CA certificate (PEM text or a file path), and whether to verify the server. */
  readonly tls?: { readonly ca?: string; readonly caFile?: string; readonly rejectUnauthorized?: boolean };
  /** Per-request timeout, ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /** Retries of a request on connection errors (the client's own). Default 1. */
  readonly maxRetries?: number;
}

/** An `@elastic/elasticsearch` 8 client for {@link ElasticsearchStoreConnection}. */
export function createElasticsearchStoreClient(connection: ElasticsearchStoreConnection): Client {
  const tls = connection.tls;
  const ca = tls?.ca ?? (tls?.caFile === undefined ? undefined : readFileSync(tls.caFile, 'utf8'));
  return new Client({
    node: connection.node,
    ...(connection.auth === undefined ? {} : { auth: connection.auth }),
    ...(tls === undefined ? {} : { tls: { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: tls.rejectUnauthorized ?? true } }),
    requestTimeout: connection.requestTimeoutMs ?? 30_000,
    maxRetries: connection.maxRetries ?? 1,
  });
}

/** The most telling reason Elasticsearch gave in an error body (the root cause's, else the top one). */
export function elasticsearchReason(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return error;
  const top = error as { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[]; caused_by?: { type?: string; reason?: string } } | undefined;
  const cause = top?.root_cause?.[0] ?? top?.caused_by ?? top;
  if (cause?.reason !== undefined) return `${cause.type ?? 'error'}: ${cause.reason}`;
  return JSON.stringify(body ?? null).slice(0, 500);
}

/**
 * An EngineError for a failed Elasticsearch call: `SLO_STORE_UNREACHABLE` (network, timeout,
 * refused credentials) naming the URL, `SLO_STORE_NOT_INITIALISED` (no such index) naming the
 * index, else `SLO_STORE_QUERY_FAILED` with Elasticsearch's reason.
 */
export function elasticsearchStoreError(error: unknown, node: string, index: string, doing: string): EngineError {
  if (error instanceof EngineError) return error;
  const details = { url: node, index };
  if (error instanceof errors.ResponseError) {
    const status = error.meta.statusCode;
    const body = error.meta.body as { error?: { type?: string } } | undefined;
    const reason = elasticsearchReason(body);
    if (status === 404 && body?.error?.type === 'index_not_found_exception') {
      return new EngineError('SLO_STORE_NOT_INITIALISED', `Elasticsearch at ${node} has no index or alias "${index}" (${doing}): ${reason}`, details, { cause: error });
    }
    if (status === 401 || status === 403) {
      return new EngineError('SLO_STORE_UNREACHABLE', `Elasticsearch at ${node} refused the credentials (${status}) for "${index}" (${doing}): ${reason}`, { ...details, status }, { cause: error });
    }
    return new EngineError('SLO_STORE_QUERY_FAILED', `Elasticsearch at ${node} failed ${doing} on "${index}" (${status ?? 'no status'}): ${reason}`, { ...details, status }, { cause: error });
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError) {
    return new EngineError('SLO_STORE_UNREACHABLE', `Elasticsearch at ${node} is unreachable (${doing} on "${index}"): ${(error as Error).message}`, details, { cause: error });
  }
  return new EngineError('SLO_STORE_QUERY_FAILED', `Elasticsearch at ${node} failed ${doing} on "${index}": ${(error as Error).message ?? String(error)}`, details, { cause: error });
}
