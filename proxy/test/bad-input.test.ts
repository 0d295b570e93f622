import { connect } from 'node:net';
import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

let echo: SpawnedEchoUpstream;
let proxy: SpawnedProxy;

beforeAll(async () => {
  echo = await spawnEchoUpstream({ name: 'app' });
  proxy = await spawnProxy({
    listen: { port: 0 },
    limits: { maxHeaderBytes: '8KiB', clientHeadersTimeout: '1s', maxRequestBodyBytes: '1MiB' },
    services: [
      { name: 'app', hosts: ['app.test'], upstreams: [{ url: echo.url }] },
      { name: 'limited', hosts: ['limited.test'], upstreams: [{ url: echo.url }], concurrency: { max: 1, queue: 1, queueTimeout: '5s' } },
    ],
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await echo?.stop();
});

/** Sends raw bytes, returns everything the proxy wrote until it closed the connection (or timeout). */
function raw(payload: string, timeoutMs = 5_000): Promise<{ text: string; closed: boolean; elapsed: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(proxy.port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, elapsed: performance.now() - started });
    }, timeoutMs);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, elapsed: performance.now() - started });
    });
    socket.write(payload);
  });
}

function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

describe('bad input', () => {
  it('rejects Content-Length together with Transfer-Encoding with 400 and closes the connection', async () => {
    const result = await raw('POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(statusOf(result.text)).toBe(400);
    expect(result.text).toContain('PROXY_BAD_REQUEST');
    expect(result.closed).toBe(true);
  });

  it('answers headers over the limit with 431', async () => {
    const result = await raw(`GET / HTTP/1.1\r\nHost: app.test\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`);
    expect(statusOf(result.text)).toBe(431);
    expect(result.text).toContain('PROXY_REQUEST_HEADERS_TOO_LARGE');
    expect(result.closed).toBe(true);
  });

  it('cuts off a client that never finishes its headers with 408 at the configured time', async () => {
    const result = await raw('GET / HTTP/1.1\r\nHost: app.test\r\n', 5_000);
    expect(statusOf(result.text)).toBe(408);
    expect(result.text).toContain('PROXY_REQUEST_HEADERS_TIMEOUT');
    expect(result.closed).toBe(true);
    expect(result.elapsed).toBeGreaterThanOrEqual(1_000);
    expect(result.elapsed).toBeLessThan(1_500);
  });

  it('rejects an absolute-form target for a host it does not serve with 400', async () => {
    const result = await raw('GET http://elsewhere.example/ HTTP/1.1\r\nHost: app.test\r\n\r\n');
    expect(statusOf(result.text)).toBe(400);
    expect(result.text).toContain('PROXY_BAD_REQUEST_TARGET');
  });

  it('routes an absolute-form target for a served host by its authority', async () => {
    const result = await raw('GET http://app.test/abs?x=1 HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n');
    expect(statusOf(result.text)).toBe(200);
    const reply = JSON.parse(result.text.slice(result.text.indexOf('\r\n\r\n') + 4)) as EchoReply;
    expect(reply.path).toBe('/abs');
    expect(reply.headers.host).toBe('app.test');
  });

  it('strips a header named in Connection before the upstream', async () => {
    const result = await raw('GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close, x-secret\r\nX-Secret: s3cr3t\r\nX-Kept: yes\r\n\r\n');
    const reply = JSON.parse(result.text.slice(result.text.indexOf('\r\n\r\n') + 4)) as EchoReply;
    expect(reply.headers['x-secret']).toBeUndefined();
    expect(reply.headers['x-kept']).toBe('yes');
  });

  it('answers a body over the limit with 413 without forwarding it', async () => {
    const result = await raw(`POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`);
    expect(statusOf(result.text)).toBe(413);
    expect(result.text).toContain('PROXY_REQUEST_BODY_TOO_LARGE');
    expect(result.closed).toBe(true);
  });

  it('refuses CONNECT: it is a reverse proxy, not a tunnel', async () => {
    const result = await raw('CONNECT app.test:443 HTTP/1.1\r\nHost: app.test:443\r\n\r\n');
    expect(statusOf(result.text)).toBe(400);
    expect(result.closed).toBe(true);
  });

  it('queues past the concurrency limit and rejects overflow with 503 PROXY_OVERFLOW', async () => {
    const slow = 'GET / HTTP/1.1\r\nHost: limited.test\r\nX-Echo-Delay-Ms: 600\r\nConnection: close\r\n\r\n';
    const results = await Promise.all([raw(slow), raw(slow), raw(slow)]);
    const statuses = results.map((r) => statusOf(r.text)).sort();
    expect(statuses).toEqual([200, 200, 503]);
    expect(results.find((r) => statusOf(r.text) === 503)!.text).toContain('PROXY_OVERFLOW');
  });

  it('keeps serving after all of the above', async () => {
    const result = await raw('GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    expect(statusOf(result.text)).toBe(200);
  });
});
