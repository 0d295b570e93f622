/**
 * Deterministic response bytes for `x-echo-response-bytes: N`: the byte at offset i is
 * `i mod 256` (00 01 02 ... ff 00 01 ...), so a client can verify any byte without a copy.
 */

/** A multiple of 256, so every chunk starts at pattern offset 0 and one buffer serves all. */
const CHUNK_BYTES = 64 * 1024;

const CHUNK = Buffer.allocUnsafe(CHUNK_BYTES);
for (let i = 0; i < CHUNK_BYTES; i++) CHUNK[i] = i & 0xff;

/** The pattern's first `length` bytes as one new buffer (for tests that compare whole bodies). */
export function patternBytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let offset = 0; offset < length; offset += CHUNK_BYTES) {
    CHUNK.copy(out, offset, 0, Math.min(CHUNK_BYTES, length - offset));
  }
  return out;
}

/** The pattern's first `length` bytes as read-only views of one shared chunk (no copying). */
export function* patternChunks(length: number): Generator<Buffer> {
  for (let remaining = length; remaining > 0; remaining -= CHUNK_BYTES) {
    yield remaining >= CHUNK_BYTES ? CHUNK : CHUNK.subarray(0, remaining);
  }
}

/** Whether `length` pattern bytes fit in a single write of the shared chunk. */
export function patternFitsOneChunk(length: number): boolean {
  return length <= CHUNK_BYTES;
}

/** The first `length` pattern bytes as a view of the shared chunk; only when `patternFitsOneChunk`. */
export function smallPattern(length: number): Buffer {
  return CHUNK.subarray(0, length);
}
