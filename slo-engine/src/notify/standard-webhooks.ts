import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks symmetric signatures (spec 1.0.0, "Verifying webhook authenticity"):
 * the sender signs `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 and sends
 * `webhook-signature: v1,<base64>`; several space-separated signatures allow zero-downtime
 * secret rotation (sign with the new and the old secret, the receiver accepts either).
 */

/** Header names, lower case as the spec writes them. */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** Prefix of a serialised symmetric secret: `whsec_` + base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Default accepted distance between the `webhook-timestamp` and the receiver's clock (the spec libraries use 5 minutes). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** The three Standard Webhooks headers of one attempt. */
export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * The key bytes of a secret. `whsec_<base64>` (the spec's serialisation, what the reference
 * libraries expect) is base64-decoded; any other string is used as its UTF-8 bytes (a "raw"
 * secret, as the reference libraries' `format: 'raw'` option). Receivers using a reference
 * library with a raw secret must pass that option; prefer `whsec_` secrets.
 *
 * @throws TypeError when the secret is empty (or decodes to no bytes).
 */
export function webhookSecretKey(secret: string): Buffer {
  const key = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
  if (key.length === 0) throw new TypeError('a webhook secret must not be empty');
  return key;
}

/** Base64 HMAC-SHA256 of `id.timestamp.body` under one key. */
function hmac(key: Buffer, id: string, timestampSeconds: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest();
}

/**
 * The `webhook-signature` value: `v1,<base64>` for each secret, space-separated, in the order
 * given (current secret first during a rotation).
 *
 * @example signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
 *          // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
export function signWebhook(secrets: string | readonly string[], id: string, timestampSeconds: number, body: string | Uint8Array): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new TypeError('signWebhook needs at least one secret');
  if (id.includes('.')) throw new TypeError(`a webhook id must not contain "." (got "${id}")`);
  return list.map((secret) => `v1,${hmac(webhookSecretKey(secret), id, timestampSeconds, body).toString('base64')}`).join(' ');
}

/** The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of one attempt. */
export function standardWebhookHeaders(
  secrets: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): StandardWebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secrets, id, timestampSeconds, body),
  };
}

/** Why a request failed verification. */
export type WebhookVerificationFailure = 'missing-headers' | 'invalid-timestamp' | 'timestamp-too-old' | 'timestamp-too-new' | 'no-matching-signature';

/** The result of {@link verifyWebhook}. */
export type WebhookVerification =
  | { readonly ok: true; readonly id: string; readonly timestampSeconds: number }
  | { readonly ok: false; readonly reason: WebhookVerificationFailure; readonly message: string };

/** Request headers as Node (`IncomingHttpHeaders`), a plain record, or a Fetch `Headers`. */
export type WebhookRequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** Accepted |now - webhook-timestamp|, in seconds; default 300. `Infinity` skips the check. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, epoch ms; default `Date.now()`. */
  readonly now?: number;
}

function header(headers: WebhookRequestHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const key in headers) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    return typeof value === 'string' ? value : value?.join(' ');
  }
  return undefined;
}

/**
 * Verifies a received Standard Webhook: the three headers are present, the timestamp is within
 * the tolerance of `now` (replay protection), and one of the `v1` signatures matches the body
 * under one of `secrets` (constant-time compare). `body` must be the raw bytes received, not
 * re-serialised JSON.
 *
 * @example
 * const check = verifyWebhook(process.env.WEBHOOK_SECRET!, req.headers, rawBody);
 * if (!check.ok) return res.writeHead(401).end(check.message);
 */
export function verifyWebhook(
  secrets: string | readonly string[],
  headers: WebhookRequestHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): WebhookVerification {
  const id = header(headers, WEBHOOK_ID_HEADER);
  const timestampText = header(headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatures = header(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestampText || !signatures) {
    return { ok: false, reason: 'missing-headers', message: 'expected the webhook-id, webhook-timestamp and webhook-signature headers' };
  }
  if (!/^\d+$/.test(timestampText)) {
    return { ok: false, reason: 'invalid-timestamp', message: `webhook-timestamp "${timestampText}" is not an integer of seconds` };
  }
  const timestampSeconds = Number(timestampText);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (nowSeconds - timestampSeconds > tolerance) {
    return { ok: false, reason: 'timestamp-too-old', message: `webhook-timestamp ${timestampSeconds} is more than ${tolerance} s in the past` };
  }
  if (timestampSeconds - nowSeconds > tolerance) {
    return { ok: false, reason: 'timestamp-too-new', message: `webhook-timestamp ${timestampSeconds} is more than ${tolerance} s in the future` };
  }
  const expected = (typeof secrets === 'string' ? [secrets] : secrets).map((secret) => hmac(webhookSecretKey(secret), id, timestampSeconds, body));
  let matched = false;
  for (const versioned of signatures.split(' ')) {
    const comma = versioned.indexOf(',');
    if (comma < 0 || versioned.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(versioned.slice(comma + 1), 'base64');
    // Every candidate is compared (no early exit) so the time taken does not reveal which matched.
    for (const candidate of expected) {
      if (given.length === candidate.length && timingSafeEqual(given, candidate)) matched = true;
    }
  }
  return matched
    ? { ok: true, id, timestampSeconds }
    : { ok: false, reason: 'no-matching-signature', message: 'no v1 signature in webhook-signature matches the body' };
}
