import type { EchoReply } from '@lookout/echo-upstream';
import type { RequestEvent } from '@lookout/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARDENING_LIMITS, startHardeningStack, type HardeningStack } from './hardening-stack.ts';

/**
 * The bad input suite: raw bytes to a real proxy process. Every case states the documented
 * answer (proxy/README.md, "Bad input"): status and error code, whether the connection is
 * closed or kept, the one event the embedded store holds for it, and, for requests that are
 * forwarded, what the upstream received and which route took it. After each case a good
 * request on a new connection must still succeed.
 */

let stack: HardeningStack;

beforeAll(async () => {
  stack = await startHardeningStack();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const HOST = 'Host: app.test\r\n';
const FOLLOW_UP = `GET /follow-up HTTP/1.1\r\n${HOST}\r\n`;

interface BadInputCase {
  readonly name: string;
  /** Raw bytes, or parts written with `gapMs` between them (a slow client). */
  readonly send: string | { readonly parts: readonly string[]; readonly gapMs: number };
  readonly status: number;
  /** The `error.code` of the proxy's JSON answer; absent for a forwarded request. */
  readonly code?: string;
  readonly connection: 'closed' | 'kept';
  readonly termination: RequestEvent['lookout']['termination'];
  /** The route that took the request (`service.target.name` of the event), when one did. */
  readonly route?: 'public' | 'admin';
  /** What the upstream received, for forwarded requests: its instance is the route's echo. */
  readonly upstream?: { readonly path: string; readonly body?: string };
}

const cases: BadInputCase[] = [
  // --- request smuggling: framing the proxy will not guess at (RFC 9112 section 6.3) ---
  {
    name: 'Content-Length with Transfer-Encoding',
    send: `POST / HTTP/1.1\r\n${HOST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'two Content-Length headers with different values',
    send: `POST / HTTP/1.1\r\n${HOST}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'two Content-Length headers with equal values',
    send: `POST / HTTP/1.1\r\n${HOST}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'a Content-Length list',
    send: `POST / HTTP/1.1\r\n${HOST}Content-Length: 5, 5\r\n\r\nhello`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'Transfer-Encoding folded onto a continuation line (obs-fold)',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'Transfer-Encoding "chunked, identity" (chunked not last)',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'Transfer-Encoding "xchunked"',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
    route: 'public',
  },
  {
    name: 'Transfer-Encoding twice',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'Transfer-Encoding "identity, chunked": chunked is last, the body is re-framed upstream',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/', body: 'hello' },
  },
  {
    name: 'a header folded onto a continuation line (obs-fold)',
    send: `GET / HTTP/1.1\r\n${HOST}X-Folded: one\r\n two\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'bare LF line endings',
    send: `GET / HTTP/1.1\n${HOST.replace('\r\n', '\n')}\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'a bare LF inside the header block',
    send: `GET / HTTP/1.1\r\nHost: app.test\nX-A: 1\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'a chunk size that is not hex',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
    route: 'public',
  },
  {
    name: 'a chunk size that overflows 64 bits',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
    route: 'public',
  },
  {
    name: 'a negative chunk size',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
    route: 'public',
  },
  {
    name: 'a chunk size line ended by a bare LF',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
    route: 'public',
  },
  {
    name: 'a well-formed chunk extension (accepted and dropped)',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/', body: 'hello' },
  },
  {
    name: 'a chunk extension with a control character',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n5;\x01\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
    route: 'public',
  },
  {
    name: 'a header name with a space',
    send: `GET / HTTP/1.1\r\n${HOST}X Bad: 1\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'a space between a header name and its colon',
    send: `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'bytes after a request that asked to close are dropped, never parsed as a request',
    send: `DELETE /items/1 HTTP/1.1\r\n${HOST}Connection: close\r\n\r\nGET /admin/smuggled HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'closed',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/items/1' },
  },

  // --- oversized and malformed heads ---
  {
    name: 'one header larger than maxHeaderBytes',
    send: `GET / HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(HARDENING_LIMITS.maxHeaderBytes + 100)}\r\n\r\n`,
    status: 431,
    code: 'PROXY_REQUEST_HEADERS_TOO_LARGE',
    connection: 'closed',
    termination: 'request_headers_too_large',
  },
  {
    name: 'many small headers adding up past maxHeaderBytes',
    send: `GET / HTTP/1.1\r\n${HOST}${Array.from({ length: 2_000 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`,
    status: 431,
    code: 'PROXY_REQUEST_HEADERS_TOO_LARGE',
    connection: 'closed',
    termination: 'request_headers_too_large',
  },
  {
    name: 'a request line longer than maxHeaderBytes',
    send: `GET /${'a'.repeat(HARDENING_LIMITS.maxHeaderBytes + 100)} HTTP/1.1\r\n${HOST}\r\n`,
    status: 431,
    code: 'PROXY_REQUEST_HEADERS_TOO_LARGE',
    connection: 'closed',
    termination: 'request_headers_too_large',
  },
  { name: 'an invalid method', send: `G@T / HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },
  { name: 'an unknown HTTP version', send: `GET / HTTP/9.9\r\n${HOST}\r\n`, status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },
  { name: 'an HTTP/2 preface on the HTTP/1.1 port', send: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },
  { name: 'a TLS ClientHello on the plain port', send: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03', status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },

  // --- header injection: CR, LF and NUL inside values ---
  {
    name: 'a bare CR inside a header value',
    send: `GET / HTTP/1.1\r\n${HOST}X-A: a\rInjected: yes\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'a NUL inside a header value',
    send: `GET / HTTP/1.1\r\n${HOST}X-A: a\x00b\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'a bare LF inside a header value',
    send: `GET / HTTP/1.1\r\n${HOST}X-A: a\nInjected: yes\r\n\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },

  // --- Host ---
  { name: 'no Host header', send: 'GET / HTTP/1.1\r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  { name: 'no Host header in HTTP/1.0', send: 'GET / HTTP/1.0\r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  { name: 'an empty Host header', send: 'GET / HTTP/1.1\r\nHost: \r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  {
    name: 'two Host headers naming different hosts',
    send: 'GET / HTTP/1.1\r\nHost: app.test\r\nHost: evil.test\r\n\r\n',
    status: 400,
    code: 'PROXY_BAD_HOST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'two equal Host headers',
    send: 'GET / HTTP/1.1\r\nHost: app.test\r\nhost: app.test\r\n\r\n',
    status: 400,
    code: 'PROXY_BAD_HOST',
    connection: 'closed',
    termination: 'bad_request',
  },
  { name: 'a Host with a path', send: 'GET / HTTP/1.1\r\nHost: app.test/evil\r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  { name: 'a Host with credentials', send: 'GET / HTTP/1.1\r\nHost: evil@app.test\r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  { name: 'a Host with a space', send: 'GET / HTTP/1.1\r\nHost: app .test\r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  { name: 'a Host with a port past 65535', send: 'GET / HTTP/1.1\r\nHost: app.test:70000\r\n\r\n', status: 400, code: 'PROXY_BAD_HOST', connection: 'closed', termination: 'bad_request' },
  {
    name: 'a Host this proxy does not serve',
    send: 'GET / HTTP/1.1\r\nHost: unknown.test\r\n\r\n',
    status: 404,
    code: 'PROXY_NO_ROUTE',
    connection: 'kept',
    termination: 'no_route',
  },
  {
    name: 'a body sent to a host with no route is not read: 404, then the connection closes',
    send: 'POST / HTTP/1.1\r\nHost: unknown.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    status: 404,
    code: 'PROXY_NO_ROUTE',
    connection: 'closed',
    termination: 'no_route',
  },
  {
    name: 'a Host in upper case with a port',
    send: 'GET /x HTTP/1.1\r\nHost: APP.Test:8080\r\n\r\n',
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/x' },
  },

  // --- request targets ---
  {
    name: 'an absolute-form target for a served host routes by its authority',
    send: 'GET http://app.test/admin/z HTTP/1.1\r\nHost: other.test\r\n\r\n',
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'admin',
    upstream: { path: '/admin/z' },
  },
  {
    name: 'an absolute-form target for a host this proxy does not serve (no open proxy)',
    send: `GET http://elsewhere.example/ HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST_TARGET',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'credentials in an absolute-form target (RFC 9110 section 4.2.4)',
    send: `GET http://user:pw@app.test/admin HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  {
    name: 'CONNECT (this is not a tunnel)',
    send: 'CONNECT app.test:443 HTTP/1.1\r\nHost: app.test:443\r\n\r\n',
    status: 400,
    code: 'PROXY_BAD_REQUEST',
    connection: 'closed',
    termination: 'bad_request',
  },
  { name: 'the asterisk-form target', send: `OPTIONS * HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },
  { name: 'a fragment in the target', send: `GET /admin#/../x HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },
  { name: 'a backslash in the path', send: `GET /x\\..\\admin HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: 'PROXY_BAD_REQUEST', connection: 'closed', termination: 'bad_request' },

  // --- path traversal and encoded slashes: the route is the route of the path forwarded ---
  {
    name: '/admin/../secret leaves the admin route',
    send: `GET /admin/../secret HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/secret' },
  },
  {
    name: '/public/../admin/x enters the admin route',
    send: `GET /public/../admin/x HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'admin',
    upstream: { path: '/admin/x' },
  },
  {
    name: 'percent-encoded dot segments are decoded before routing',
    send: `GET /x/%2e%2e/admin/y HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'admin',
    upstream: { path: '/admin/y' },
  },
  {
    name: 'traversal above the root stops at the root',
    send: `GET /../../etc/passwd HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/etc/passwd' },
  },
  {
    name: 'an encoded slash is data: /admin%2Fy is not under /admin and is forwarded as sent',
    send: `GET /admin%2Fy HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/admin%2Fy' },
  },
  {
    name: 'an encoded letter is decoded: /%61dmin/y is /admin/y',
    send: `GET /%61dmin/y HTTP/1.1\r\n${HOST}\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'admin',
    upstream: { path: '/admin/y' },
  },

  // --- Expect ---
  {
    name: 'an unknown Expect is ignored, not forwarded',
    send: `GET /expect HTTP/1.1\r\n${HOST}Expect: bogus\r\n\r\n`,
    status: 200,
    connection: 'kept',
    termination: 'ok',
    route: 'public',
    upstream: { path: '/expect' },
  },

  // --- bodies over the limit ---
  {
    name: 'a Content-Length over maxRequestBodyBytes is refused before any byte is forwarded',
    send: `POST / HTTP/1.1\r\n${HOST}Content-Length: ${HARDENING_LIMITS.maxRequestBodyBytes + 1}\r\n\r\n`,
    status: 413,
    code: 'PROXY_REQUEST_BODY_TOO_LARGE',
    connection: 'closed',
    termination: 'request_body_too_large',
    route: 'public',
  },
  {
    name: 'a chunked body growing past maxRequestBodyBytes',
    send: {
      parts: [
        `POST / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n`,
        ...Array.from({ length: Math.ceil(HARDENING_LIMITS.maxRequestBodyBytes / 4096) + 4 }, () => `1000\r\n${'y'.repeat(4096)}\r\n`),
        '0\r\n\r\n',
      ],
      gapMs: 2,
    },
    status: 413,
    code: 'PROXY_REQUEST_BODY_TOO_LARGE',
    connection: 'closed',
    termination: 'request_body_too_large',
    route: 'public',
  },
];

/** Sends a case and returns the first response (status 0 if none came) and whether the connection closed. */
async function run(testCase: BadInputCase): Promise<{ status: number; body: string; closed: boolean; followUp: number }> {
  const connection = await stack.connect();
  try {
    if (typeof testCase.send === 'string') connection.write(Buffer.from(testCase.send, 'latin1'));
    else void connection.trickle(testCase.send.parts, testCase.send.gapMs);
    let status = 0;
    let body = '';
    try {
      const response = await connection.response(5_000);
      status = response.status;
      body = response.body;
    } catch (error) {
      if (!connection.closed) throw error;
    }
    // "Closed" means the proxy closed it (after answering); "kept" means it serves the next
    // request on the same connection.
    const closed = await connection.closesWithin(testCase.connection === 'closed' ? 2_000 : 200);
    let followUp = 0;
    if (!closed) {
      connection.write(FOLLOW_UP);
      followUp = (await connection.response()).status;
    }
    return { status, body, closed, followUp };
  } finally {
    connection.destroy();
  }
}

describe('bad input suite', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const mark = stack.mark();
    const result = await run(testCase);

    expect(result.status).toBe(testCase.status);
    if (testCase.code !== undefined) expect(JSON.parse(result.body).error.code).toBe(testCase.code);
    expect(result.closed ? 'closed' : 'kept').toBe(testCase.connection);
    if (testCase.connection === 'kept') expect(result.followUp).toBe(200);

    if (testCase.upstream !== undefined) {
      const reply = JSON.parse(result.body) as EchoReply;
      expect(reply.instance).toBe(testCase.route);
      expect(reply.path).toBe(testCase.upstream.path);
      if (testCase.upstream.body !== undefined) expect(reply.body).toBe(testCase.upstream.body);
      // The framing the upstream sees is the proxy's own, never the client's.
      expect(reply.headers['transfer-encoding'] ?? '').not.toContain('identity');
    }

    // Exactly one event for the case (plus the follow-up's on a kept connection).
    const expected = 1 + (testCase.connection === 'kept' ? 1 : 0);
    const events = await stack.eventsAfter(mark, expected);
    expect(events).toHaveLength(expected);
    const event = events.find((e) => e.lookout.termination === testCase.termination && e.url.path !== '/follow-up')!;
    expect(event).toBeDefined();
    if (testCase.status !== 0) expect(event.http.response.status_code).toBe(testCase.status);
    expect(event.service.target?.name).toBe(testCase.route);
    if (testCase.upstream !== undefined) expect(event.url.path).toBe(testCase.upstream.path);
    if (testCase.code !== undefined) expect(event.error?.code).toBe(testCase.code);

    expect((await stack.goodRequest()).status).toBe(200);
  });

  it('answers a good request in full, then a malformed one pipelined behind it with 400, and closes', async () => {
    const mark = stack.mark();
    const connection = await stack.connect();
    try {
      connection.write(`GET /items/ok HTTP/1.1\r\n${HOST}\r\nGET /items/x HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n`);
      const good = await connection.response();
      expect(good.status).toBe(200);
      expect((JSON.parse(good.body) as EchoReply).path).toBe('/items/ok');
      const bad = await connection.response();
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).error.code).toBe('PROXY_BAD_REQUEST');
      expect(await connection.closesWithin(2_000)).toBe(true);
    } finally {
      connection.destroy();
    }
    const events = await stack.eventsAfter(mark, 2);
    expect(events.map((e) => [e.http.response.status_code, e.lookout.termination]).sort()).toEqual([
      [200, 'ok'],
      [400, 'bad_request'],
    ]);
    // The malformed one never reached an upstream.
    expect(events.find((e) => e.lookout.termination === 'bad_request')?.destination).toBeUndefined();
  });

  it('cuts off a client that trickles its headers (slowloris) with 408 at clientHeadersTimeout', async () => {
    const mark = stack.mark();
    const connection = await stack.connect();
    const started = performance.now();
    void connection.trickle(['GET / HTTP/1.1\r\n', HOST, ...Array.from({ length: 20 }, (_, i) => `X-Slow-${i}: 1\r\n`)], 200);
    const response = await connection.response(5_000);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body).error.code).toBe('PROXY_REQUEST_HEADERS_TIMEOUT');
    expect(await connection.closesWithin(1_000)).toBe(true);
    // Node checks the timeout on an interval of a tenth of it (at least 100 ms).
    expect(elapsed).toBeGreaterThanOrEqual(HARDENING_LIMITS.clientHeadersTimeoutMs - 50);
    expect(elapsed).toBeLessThan(HARDENING_LIMITS.clientHeadersTimeoutMs + 600);
    const events = await stack.eventsAfter(mark, 1);
    expect(events.map((e) => [e.http.response.status_code, e.lookout.termination])).toEqual([[408, 'client_headers_timeout']]);
    expect((await stack.goodRequest()).status).toBe(200);
  });

  it.each([
    ['Content-Length', `POST /slow HTTP/1.1\r\n${HOST}Content-Length: 1000\r\n\r\n`, (i: number) => `part${i}`],
    ['chunked', `POST /slow HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n`, (i: number) => `5\r\npart${i}\r\n`],
  ])('answers a %s body that trickles past clientRequestTimeout with 408, recorded on its route', async (_kind, head, part) => {
    const mark = stack.mark();
    const connection = await stack.connect();
    const started = performance.now();
    void connection.trickle([head, ...Array.from({ length: 20 }, (_, i) => part(i))], 300);
    const response = await connection.response(6_000);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body).error.code).toBe('PROXY_REQUEST_BODY_TIMEOUT');
    expect(await connection.closesWithin(1_000)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(HARDENING_LIMITS.clientRequestTimeoutMs - 50);
    expect(elapsed).toBeLessThan(HARDENING_LIMITS.clientRequestTimeoutMs + 800);
    const events = await stack.eventsAfter(mark, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ http: { response: { status_code: 408 } }, lookout: { termination: 'client_body_timeout' }, service: { target: { name: 'public' } } });
    expect(events[0]!.http.request.body.bytes).toBeGreaterThan(0);
    expect((await stack.goodRequest()).status).toBe(200);
  });

  it('still serves after the whole suite, and never exited', async () => {
    expect(stack.proxy.process.exitCode).toBeNull();
    expect((await stack.goodRequest()).status).toBe(200);
  });
});
