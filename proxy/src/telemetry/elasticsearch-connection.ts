import { readFileSync } from 'node:fs';
import { Pool } from '../undici-parts.ts';
import type { FailureReason } from './telemetry-counters.ts';

/** Credentials for Elasticsearch; none when security is off. */
export type EsAuth = { readonly username: string; readonly password: string } | { readonly apiKey: string } | undefined;

export interface ElasticsearchConnectionOptions {
  /** `http(s)://host:port[/path]`; a path is a prefix of every request (an ES behind a proxy). */
  readonly node: string;
  readonly auth?: EsAuth;
  readonly requestTimeout: number;
  readonly connectTimeout: number;
  readonly tls?: { readonly caFile?: string | undefined; readonly rejectUnauthorized: boolean };
}

/** An Elasticsearch answer: status and body text (bodies here are small: errors, filtered bulk items). */
export interface EsResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * The few REST calls the pipeline makes, over one undici `Pool` (the proxy's own undici parts).
 *
 * Measured on the 2-core dev machine (Node 24, `--max-semi-space-size=1 --single-threaded-gc`,
 * `MALLOC_ARENA_MAX=2`, on top of node:http and undici's Pool already loaded): the official
 * `@elastic/elasticsearch` 8.19 client costs +19 MiB RSS (it brings its own full undici 6 and
 * more), against a 90 MiB process budget; this class costs nothing extra. Bulk bodies are NDJSON
 * built by the pipeline, so the client would add only its retry logic, which the sink replaces
 * with its own (spool-aware) one.
 */
export class ElasticsearchConnection {
  readonly node: string;
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #headers: Record<string, string>;
  readonly #timeout: number;

  constructor(options: ElasticsearchConnectionOptions) {
    const url = new URL(options.node);
    this.node = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#timeout = options.requestTimeout;
    this.#headers = { accept: 'application/json' };
    const auth = options.auth;
    if (auth !== undefined) {
      this.#headers.authorization =
        'apiKey' in auth ? `ApiKey ${auth.apiKey}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    const tls = options.tls;
    this.#pool = new Pool(url.origin, {
      connections: 1,
      pipelining: 1,
      connectTimeout: options.connectTimeout,
      headersTimeout: options.requestTimeout,
      bodyTimeout: options.requestTimeout,
      ...(url.protocol === 'https:' && tls !== undefined
        ? { connect: { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}) } }
        : {}),
    });
  }

  /** Sends one request. Rejects on network failure and timeout (see {@link connectionFailureReason}). */
  async request(method: string, path: string, body?: Buffer | string, contentType = 'application/json'): Promise<EsResponse> {
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'content-type': contentType };
    const response = await this.#pool.request({
      method: method as 'GET',
      path: this.#prefix + path,
      headers,
      body: body ?? null,
      signal: AbortSignal.timeout(this.#timeout),
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  close(): Promise<void> {
    return this.#pool.close().catch(() => undefined);
  }

  destroy(): Promise<void> {
    return this.#pool.destroy().catch(() => undefined);
  }
}

/** Error codes that mean the request took too long. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR']);

/** Classifies a rejected {@link ElasticsearchConnection.request}: `timeout` or `unreachable`. */
export function connectionFailureReason(error: unknown): FailureReason {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (name === 'TimeoutError' || name === 'AbortError' || (code !== undefined && TIMEOUT_CODES.has(code))) return 'timeout';
  return 'unreachable';
}

/** `code: message` of a network error, for log lines. */
export function describeConnectionError(error: unknown): string {
  const { message, code, cause } = (error ?? {}) as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const causeText = cause?.message && cause.message !== message ? ` (${cause.code ?? ''}${cause.code ? ': ' : ''}${cause.message})` : '';
  return `${code ?? 'error'}: ${message ?? String(error)}${causeText}`;
}
