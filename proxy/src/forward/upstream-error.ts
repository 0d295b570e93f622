import type { ProxyErrorCode } from '../errors.ts';

// undici and Node error codes, mapped to what the client is told (data, not branches).
const BY_CODE: Readonly<Record<string, ProxyErrorCode>> = {
  UND_ERR_CONNECT_TIMEOUT: 'PROXY_UPSTREAM_CONNECT_TIMEOUT',
  ECONNREFUSED: 'PROXY_UPSTREAM_CONNECT_FAILED',
  EHOSTUNREACH: 'PROXY_UPSTREAM_CONNECT_FAILED',
  ENETUNREACH: 'PROXY_UPSTREAM_CONNECT_FAILED',
  EADDRNOTAVAIL: 'PROXY_UPSTREAM_CONNECT_FAILED',
  ENOTFOUND: 'PROXY_UPSTREAM_CONNECT_FAILED',
  EAI_AGAIN: 'PROXY_UPSTREAM_CONNECT_FAILED',
  UND_ERR_HEADERS_TIMEOUT: 'PROXY_UPSTREAM_HEADERS_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'PROXY_UPSTREAM_BODY_TIMEOUT',
  UND_ERR_SOCKET: 'PROXY_UPSTREAM_RESET',
  UND_ERR_CLOSED: 'PROXY_UPSTREAM_RESET',
  UND_ERR_DESTROYED: 'PROXY_UPSTREAM_RESET',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'PROXY_UPSTREAM_RESET',
  ECONNRESET: 'PROXY_UPSTREAM_RESET',
  EPIPE: 'PROXY_UPSTREAM_RESET',
  UND_ERR_HEADERS_OVERFLOW: 'PROXY_UPSTREAM_PROTOCOL_ERROR',
  UND_ERR_INFO: 'PROXY_UPSTREAM_PROTOCOL_ERROR',
  // The client's body stream ended short of its Content-Length or was destroyed.
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'PROXY_BAD_REQUEST',
  UND_ERR_ABORTED: 'PROXY_CLIENT_ABORT',
  UND_ERR_ABORT: 'PROXY_CLIENT_ABORT',
  ERR_STREAM_PREMATURE_CLOSE: 'PROXY_CLIENT_ABORT',
};

/** The proxy error a failed upstream try becomes. */
export function classifyUpstreamError(error: Error): ProxyErrorCode {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) {
    const mapped = BY_CODE[code];
    if (mapped !== undefined) return mapped;
    if (code.startsWith('HPE_')) return 'PROXY_UPSTREAM_PROTOCOL_ERROR';
  }
  return 'PROXY_UPSTREAM_RESET';
}
