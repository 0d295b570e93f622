import type { ServerResponse } from 'node:http';
import { errorBody, PROXY_ERRORS, proxyErrorStatus, type ProxyErrorCode } from '../errors.ts';

/**
 * Answers a request with the proxy's JSON error. When the response has already started the
 * only honest signal left is to cut the connection, so the client sees a truncated response.
 * `close` asks for the connection to be closed after the response (unread request body,
 * malformed request). Returns the body bytes written (0 when the connection was cut).
 */
export function sendError(res: ServerResponse, code: ProxyErrorCode, message: string = PROXY_ERRORS[code].message, close = false): number {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return 0;
  }
  const body = errorBody(code, message);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (close) headers.connection = 'close';
  res.writeHead(proxyErrorStatus(code), headers);
  res.end(body);
  return headers['content-length'] as number;
}
