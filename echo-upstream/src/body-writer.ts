import type { ServerResponse } from 'node:http';

/** The body faults: pacing (`slowBodyMs`) and truncation (`resetAfterBytes`, -1 = off). */
export interface BodyShape {
  readonly slowBodyMs: number;
  readonly resetAfterBytes: number;
}

/**
 * A paced body of known length is sent in this many parts, `slowBodyMs` apart, so the total
 * added time is predictable whatever the size. A paced body of unknown length (raw mode,
 * chunked request) pauses between the chunks as they arrive instead.
 */
export const SLOW_BODY_PARTS = 4;

/** Resolves true after `ms`, or false as soon as the response is closed (client gone, server closing). */
export function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/**
 * Closes the connection once everything written so far (headers included) reached the kernel.
 * A FIN rather than an RST: an RST would let the kernel drop bytes still queued, and the point
 * is that the client receives exactly the bytes sent before the close.
 */
export function closeAfterFlush(res: ServerResponse): void {
  res.flushHeaders();
  const socket = res.socket;
  if (socket === null || socket.destroyed) return;
  socket.end(() => socket.destroy());
}

/**
 * Writes a body after `writeHead`, honouring backpressure, pacing and truncation, then ends
 * the response (or closes the connection when truncating). `totalBytes` is -1 when unknown.
 */
export async function writeShapedBody(
  res: ServerResponse,
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  totalBytes: number,
  shape: BodyShape,
): Promise<void> {
  const limit = shape.resetAfterBytes;
  const pauseMs = shape.slowBodyMs;
  const partBytes = pauseMs > 0 && totalBytes > 0 ? Math.ceil(totalBytes / SLOW_BODY_PARTS) : 0;
  if (limit === 0) return closeAfterFlush(res);
  let sent = 0;
  let partFill = 0;
  for await (const chunk of source) {
    if (pauseMs > 0 && partBytes === 0 && sent > 0 && !(await pause(res, pauseMs))) return;
    let offset = 0;
    while (offset < chunk.length) {
      if (partBytes > 0 && partFill === partBytes) {
        if (!(await pause(res, pauseMs))) return;
        partFill = 0;
      }
      let end = chunk.length;
      if (partBytes > 0) end = Math.min(end, offset + partBytes - partFill);
      if (limit > 0) end = Math.min(end, offset + limit - sent);
      const piece = offset === 0 && end === chunk.length ? chunk : chunk.subarray(offset, end);
      sent += end - offset;
      partFill += end - offset;
      offset = end;
      if (res.destroyed) return;
      if (!res.write(piece) && !(await drained(res))) return;
      if (sent === limit) return closeAfterFlush(res);
    }
  }
  if (limit > 0) closeAfterFlush(res);
  else res.end();
}
