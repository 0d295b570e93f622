import { Agent, type Dispatcher, request } from 'undici';
import { alertmanagerPayload } from './alertmanager-payload.ts';
import type { DeliveryOutcome, Notifier, SloNotification } from './notification.ts';
import { parseRetryAfter } from './retry-after.ts';
import { standardWebhookPayload } from './standard-webhook-payload.ts';
import { standardWebhookHeaders } from './standard-webhooks.ts';

/** Body formats a webhook can receive. */
export type WebhookFormat = 'standard' | 'alertmanager';

/** One configured webhook, secrets resolved. */
export interface WebhookTarget {
  /** What SLO owners write to reach it. */
  readonly name: string;
  readonly url: string;
  /**
   * Standard Webhooks signing secrets (`whsec_<base64>`, or raw strings), current first; every
   * one signs, so a receiver rotating secrets accepts either. Empty: sent unsigned.
   */
  readonly secrets: readonly string[];
  readonly format: WebhookFormat;
  /** Whole-attempt timeout: connect, send, response headers and body. */
  readonly timeoutMs: number;
  /** Extra request headers (e.g. an Authorization token for the receiver). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookNotifierOptions {
  readonly webhooks: readonly WebhookTarget[];
  /** undici dispatcher; default a private `Agent` closed by `close()`. */
  readonly dispatcher?: Dispatcher;
  /** Epoch ms, for `webhook-timestamp` and Retry-After dates; default `Date.now`. */
  readonly clock?: () => number;
  /** `externalURL` of Alertmanager payloads; default the origin of the SLO link. */
  readonly externalUrl?: string;
  readonly userAgent?: string;
}

/** Response body bytes kept for the error message. */
const ERROR_BODY_BYTES = 512;

/**
 * Delivers notifications by HTTP POST of JSON to configured webhooks, Standard Webhooks signed:
 * `webhook-id` is the delivery id (the same on every attempt, so receivers deduplicate),
 * `webhook-timestamp` the attempt time.
 *
 * Outcomes: 2xx delivered; 408, 429, 5xx, timeouts and network errors retryable (with the
 * receiver's Retry-After); 3xx and other 4xx permanent (a redirect or a rejection will not go
 * away by retrying; 410 Gone is the spec's "stop sending"). Error messages name the webhook and
 * the URL's origin only (paths of chat webhooks often carry tokens).
 */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook' as const;
  readonly #webhooks: ReadonlyMap<string, WebhookTarget>;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #clock: () => number;
  readonly #externalUrl: string | undefined;
  readonly #userAgent: string;

  constructor(options: WebhookNotifierOptions) {
    this.#webhooks = new Map(options.webhooks.map((webhook) => [webhook.name, webhook]));
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 4_000, connections: 8 });
    this.#clock = options.clock ?? Date.now;
    this.#externalUrl = options.externalUrl;
    this.#userAgent = options.userAgent ?? 'lookout-slo-engine';
  }

  /** Names of the configured webhooks. */
  get names(): ReadonlySet<string> {
    return new Set(this.#webhooks.keys());
  }

  /** The exact bytes posted for `notification` to `webhook`. */
  body(webhook: WebhookTarget, notification: SloNotification): string {
    const payload =
      webhook.format === 'alertmanager'
        ? alertmanagerPayload(notification, webhook.name, this.#externalUrl === undefined ? {} : { externalUrl: this.#externalUrl })
        : standardWebhookPayload(notification);
    return JSON.stringify(payload);
  }

  async deliver(target: string, deliveryId: string, notification: SloNotification, _attempt?: number): Promise<DeliveryOutcome> {
    const webhook = this.#webhooks.get(target);
    if (webhook === undefined) return { ok: false, permanent: true, error: `no webhook named "${target}" is configured` };
    const where = `webhook "${webhook.name}" (${originOf(webhook.url)})`;
    const body = this.body(webhook, notification);
    const timestampSeconds = Math.floor(this.#clock() / 1000);
    const headers: Record<string, string> = {
      ...webhook.headers,
      'content-type': 'application/json',
      'user-agent': this.#userAgent,
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestampSeconds),
    };
    if (webhook.secrets.length > 0) Object.assign(headers, standardWebhookHeaders(webhook.secrets, deliveryId, timestampSeconds, body));
    const signal = AbortSignal.timeout(webhook.timeoutMs);
    try {
      const response = await request(webhook.url, { method: 'POST', headers, body, dispatcher: this.#dispatcher, signal });
      const status = response.statusCode;
      const excerpt = await readExcerpt(response.body);
      if (status >= 200 && status < 300) return { ok: true };
      const retryable = status === 408 || status === 429 || status >= 500;
      const retryAfterMs = retryable ? parseRetryAfter(response.headers['retry-after'], this.#clock()) : undefined;
      const detail = status >= 300 && status < 400 ? `redirect to ${originOf(String(response.headers.location ?? ''))}: update the webhook URL` : excerpt;
      const error = `${where} answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
      return retryAfterMs === undefined ? { ok: false, permanent: !retryable, error } : { ok: false, permanent: false, retryAfterMs, error };
    } catch (cause) {
      if (signal.aborted) return { ok: false, permanent: false, error: `${where} gave no complete answer within ${webhook.timeoutMs} ms` };
      return { ok: false, permanent: false, error: `${where} could not be reached: ${describeNetworkError(cause)}` };
    }
  }

  /** Closes the connections of the private dispatcher (not of one passed in). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}

async function readExcerpt(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= ERROR_BODY_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** `connection refused (ECONNREFUSED)` and the like, from undici's error or its cause. */
function describeNetworkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'connect timeout',
    UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
    UND_ERR_SOCKET: 'socket closed',
    EHOSTUNREACH: 'host unreachable',
  };
  return code === undefined ? message : `${words[code] ?? message} (${code})`;
}
