import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What the echo reply says about the request body. */
export interface CapturedBody {
  /** UTF-8 text, or null when the body is larger than the echo limit or not valid UTF-8. */
  readonly text: string | null;
  readonly bytes: number;
  /** SHA-256 of all body bytes (hex), computed even when `text` is null. */
  readonly sha256: string;
}

export const EMPTY_BODY: CapturedBody = Object.freeze({
  text: '',
  bytes: 0,
  sha256: createHash('sha256').digest('hex'),
});

/**
 * Whether the request cannot have a body (RFC 9112 section 6.3: neither Transfer-Encoding
 * nor a non-zero Content-Length), so the reply needs no wait for the body.
 */
export function hasNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

/** Reads the whole body, hashing every byte and keeping at most `maxTextBytes` of them. */
export function captureBody(req: IncomingMessage, maxTextBytes: number): Promise<CapturedBody> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let kept: Buffer[] | null = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (kept === null) return;
      if (bytes > maxTextBytes) kept = null;
      else kept.push(chunk);
    });
    req.once('end', () => {
      let text: string | null = null;
      if (kept !== null) {
        const buffer = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept, bytes);
        if (isUtf8(buffer)) text = buffer.toString('utf8');
      }
      resolve({ text, bytes, sha256: hash.digest('hex') });
    });
    req.once('error', reject);
  });
}
