import { randomFillSync } from 'node:crypto';

/** W3C trace context of one request as the proxy continues it (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  readonly traceId: string;
  /** The proxy's own span: becomes the parent-id of the upstream request. */
  readonly spanId: string;
  readonly flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// Random ids from a pooled buffer: one getrandom call per 512 ids instead of one per id.
const POOL_BYTES = 8 * 1024;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/**
 * Continues the caller's trace when `traceparent` is valid (a new span under it, flags kept),
 * else starts a new sampled trace. Invalid headers are ignored, as the spec asks.
 */
export function continueTrace(traceparent: string | undefined): TraceContext {
  if (traceparent !== undefined) {
    const match = TRACEPARENT.exec(traceparent.trim());
    if (match !== null && match[1] !== ZERO_TRACE && match[2] !== ZERO_SPAN) {
      return { traceId: match[1]!, spanId: randomHex(8), flags: match[3]! };
    }
  }
  return { traceId: randomHex(16), spanId: randomHex(8), flags: '01' };
}

/** The `traceparent` value sent upstream: same trace, the proxy's span as parent. */
export function traceparentOf(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}
