import type { RequestEvent } from '@lookout/telemetry';

/*
 * A bulk body is NDJSON pairs: `{"create":{"_id":"<event.id>"}}` then the event. The spool
 * stores exactly these bytes, so a replay sends them as they are.
 */

const NEWLINE = 0x0a;
const ACTION_PREFIX = Buffer.from('{"create":{"_id":');

/** One event as a bulk `create` pair (two lines, newline-terminated). */
export function bulkPair(event: RequestEvent): string {
  return `{"create":{"_id":${JSON.stringify(event.event.id)}}}\n${JSON.stringify(event)}\n`;
}

/**
 * Start offsets of the complete, well-formed pairs in `body`, followed by the end offset of the
 * last one; `bounds.length - 1` pairs. Stops at the first torn or malformed pair (a crash in
 * the middle of a spool write), reporting where in `invalidAt`.
 */
export function pairBounds(body: Uint8Array, maxPairs = Infinity): { bounds: number[]; invalidAt: number | undefined } {
  const bounds = [0];
  let offset = 0;
  while (offset < body.length && bounds.length - 1 < maxPairs) {
    const actionEnd = body.indexOf(NEWLINE, offset);
    if (actionEnd < 0) return { bounds, invalidAt: offset };
    if (!startsWith(body, offset, ACTION_PREFIX)) return { bounds, invalidAt: offset };
    const docEnd = body.indexOf(NEWLINE, actionEnd + 1);
    if (docEnd < 0 || body[actionEnd + 1] !== 0x7b /* { */) return { bounds, invalidAt: offset };
    offset = docEnd + 1;
    bounds.push(offset);
  }
  return { bounds, invalidAt: undefined };
}

/** The document line of pair `index`, without its newline. */
export function pairDocument(body: Buffer, bounds: readonly number[], index: number): string {
  const start = bounds[index]!;
  const end = bounds[index + 1]!;
  const docStart = body.indexOf(NEWLINE, start) + 1;
  return body.toString('utf8', docStart, end - 1);
}

/** The `_id` of pair `index`. */
export function pairId(body: Buffer, bounds: readonly number[], index: number): string {
  const start = bounds[index]!;
  const actionEnd = body.indexOf(NEWLINE, start);
  const action = JSON.parse(body.toString('utf8', start, actionEnd)) as { create: { _id: string } };
  return action.create._id;
}

/** A body of only the pairs at `indices` (ascending), in their order. */
export function selectPairs(body: Buffer, bounds: readonly number[], indices: readonly number[]): Buffer {
  return Buffer.concat(indices.map((i) => body.subarray(bounds[i]!, bounds[i + 1]!)));
}

function startsWith(body: Uint8Array, offset: number, prefix: Uint8Array): boolean {
  if (offset + prefix.length > body.length) return false;
  for (let i = 0; i < prefix.length; i++) if (body[offset + i] !== prefix[i]) return false;
  return true;
}
