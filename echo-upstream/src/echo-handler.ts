import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { finished, pipeline } from 'node:stream';
import { closeAfterFlush, pause, writeShapedBody } from './body-writer.ts';
import { echoReplyJson } from './echo-reply.ts';
import { type BadFaultHeader, planForRequest } from './fault-headers.ts';
import type { FaultPlan } from './fault-settings.ts';
import { captureBody, type CapturedBody, EMPTY_BODY, hasNoBody } from './request-body.ts';
import { patternChunks, patternFitsOneChunk, smallPattern } from './response-pattern.ts';

export interface EchoHandlerConfig {
  readonly name: string;
  /** Bodies larger than this are hashed and counted but echoed as `body: null`. */
  readonly maxEchoBytes: number;
  /** The plan for requests without fault headers. */
  readonly defaults: FaultPlan;
  /** Read when each reply starts: while true, replies carry `connection: close` so keep-alive clients drain. */
  readonly isClosing: () => boolean;
}

export type EchoHandler = (req: IncomingMessage, res: ServerResponse) => void;

const JSON_TYPE = 'application/json';
const OCTET_TYPE = 'application/octet-stream';

function ignore(): void {}

function hasNoContent(status: number): boolean {
  // RFC 9110 sections 15.3.5 and 15.4.5: 204 and 304 carry no body and no Content-Length.
  return status === 204 || status === 304;
}

function replyStatus(plan: FaultPlan): number {
  return plan.errorRatio > 0 && Math.random() < plan.errorRatio ? plan.errorStatus : plan.status;
}

/** Every reply's headers go through here, so none misses the instance name or the drain signal. */
function writeHead(res: ServerResponse, config: EchoHandlerConfig, status: number, headers: OutgoingHttpHeaders): void {
  headers['x-echo-instance'] = config.name;
  if (config.isClosing()) headers.connection = 'close';
  res.writeHead(status, headers);
}

function isShaped(plan: FaultPlan): boolean {
  return plan.slowBodyMs > 0 || plan.resetAfterBytes >= 0;
}

/**
 * Writes a complete response whose body is already in memory. A string body leaves Node one
 * write for headers and body together, where a Buffer takes a writev of two.
 */
function sendBody(res: ServerResponse, config: EchoHandlerConfig, status: number, type: string, body: string | Buffer, plan: FaultPlan): void {
  if (res.destroyed) return;
  if (hasNoContent(status)) {
    writeHead(res, config, status, {});
    res.end();
    return;
  }
  if (isShaped(plan)) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    writeHead(res, config, status, { 'content-type': type, 'content-length': bytes.length });
    void writeShapedBody(res, [bytes], bytes.length, plan);
    return;
  }
  writeHead(res, config, status, { 'content-type': type, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length });
  res.end(body);
}

function sendBadFaultHeader(res: ServerResponse, config: EchoHandlerConfig, bad: BadFaultHeader): void {
  const body = JSON.stringify({ error: bad });
  writeHead(res, config, 400, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function sendDelayed(res: ServerResponse, config: EchoHandlerConfig, status: number, type: string, body: string, plan: FaultPlan): Promise<void> {
  if (await pause(res, plan.delayMs)) sendBody(res, config, status, type, body, plan);
}

function sendEcho(req: IncomingMessage, res: ServerResponse, config: EchoHandlerConfig, plan: FaultPlan, receivedAt: number, body: CapturedBody): void {
  const json = echoReplyJson(config.name, req, body, receivedAt);
  const status = replyStatus(plan);
  if (plan.delayMs > 0) void sendDelayed(res, config, status, JSON_TYPE, json, plan);
  else sendBody(res, config, status, JSON_TYPE, json, plan);
}

async function sendPattern(req: IncomingMessage, res: ServerResponse, config: EchoHandlerConfig, plan: FaultPlan): Promise<void> {
  // Discard the request body as it comes: a client that writes all of it before reading
  // would otherwise deadlock against a large response.
  req.resume();
  if (plan.delayMs > 0 && !(await pause(res, plan.delayMs))) return;
  const status = replyStatus(plan);
  const length = plan.responseBytes;
  if (hasNoContent(status) || patternFitsOneChunk(length)) {
    sendBody(res, config, status, OCTET_TYPE, smallPattern(length), plan);
    return;
  }
  writeHead(res, config, status, { 'content-type': OCTET_TYPE, 'content-length': length });
  await writeShapedBody(res, patternChunks(length), length, plan);
}

/** Streams the request body back unchanged: nothing is buffered beyond stream high-water marks. */
async function sendRaw(req: IncomingMessage, res: ServerResponse, config: EchoHandlerConfig, plan: FaultPlan): Promise<void> {
  if (plan.delayMs > 0 && !(await pause(res, plan.delayMs))) return;
  const status = replyStatus(plan);
  if (hasNoContent(status)) {
    req.resume();
    writeHead(res, config, status, {});
    res.end();
    return;
  }
  const headers: OutgoingHttpHeaders = {};
  const type = req.headers['content-type'];
  if (type !== undefined) headers['content-type'] = type;
  const length = req.headers['content-length'];
  if (length !== undefined) headers['content-length'] = length;
  writeHead(res, config, status, headers);
  if (!isShaped(plan)) {
    pipeline(req, res, ignore);
    return;
  }
  const total = length === undefined ? -1 : Number(length);
  // destroyOnReturn false: stopping early (truncation) must not destroy the socket before
  // the bytes already written are flushed.
  await writeShapedBody(res, req.iterator({ destroyOnReturn: false }), total, plan);
  req.resume();
}

/** Reads the request body, waits the delay, then resets the connection (TCP RST) unanswered. */
function resetAfterRequest(req: IncomingMessage, res: ServerResponse, delayMs: number): void {
  finished(req, async (error) => {
    if (error !== undefined && error !== null) return;
    if (delayMs > 0 && !(await pause(res, delayMs))) return;
    res.socket?.resetAndDestroy();
  });
  req.resume();
}

/** Builds the request handler; everything that does not depend on the request is decided here. */
export function createEchoHandler(config: EchoHandlerConfig): EchoHandler {
  const { maxEchoBytes, defaults } = config;
  return function handleEcho(req, res) {
    const receivedAt = Date.now();
    const plan = planForRequest(req.headers, defaults);
    if ('code' in plan) return sendBadFaultHeader(res, config, plan);
    if (plan.resetRatio > 0 && (plan.resetRatio >= 1 || Math.random() < plan.resetRatio)) {
      return resetAfterRequest(req, res, plan.delayMs);
    }
    if (plan.responseBytes >= 0) return void sendPattern(req, res, config, plan);
    if (plan.mode === 'raw') return void sendRaw(req, res, config, plan);
    if (hasNoBody(req)) return sendEcho(req, res, config, plan, receivedAt, EMPTY_BODY);
    captureBody(req, maxEchoBytes).then((body) => sendEcho(req, res, config, plan, receivedAt, body), ignore);
  };
}
