import { createHash } from 'node:crypto';

/** Key under `_meta` where the setup records what it installed. */
export const CONTENT_HASH_KEY = 'content_sha256';

/**
 * SHA-256 of `value` as canonical JSON (object keys sorted at every level), so that the same
 * body hashes the same whatever order it was built in.
 */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `body` with `_meta[CONTENT_HASH_KEY]` set to the hash of `body` itself. */
export function withContentHash<T extends { readonly _meta?: object }>(body: T): T & { _meta: Record<string, unknown> } {
  return { ...body, _meta: { ...body._meta, [CONTENT_HASH_KEY]: contentHash(body) } };
}
