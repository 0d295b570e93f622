import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoReply } from './echo-reply.ts';
import { type EchoUpstream, startEchoUpstream } from './echo-server.ts';
import { EchoOptionError } from './errors.ts';
import { patternBytes } from './response-pattern.ts';

/** Everything a client saw on one connection, read at the byte level. */
interface RawExchange {
  head: string;
  body: Buffer;
  /** Milliseconds after sending at which each body-carrying packet arrived. */
  arrivals: number[];
  /** Socket error code, e.g. ECONNRESET for a TCP RST. */
  error: string | undefined;
}

function rawExchange(port: number, head: string, body: Buffer = Buffer.alloc(0)): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = performance.now();
    const received: Buffer[] = [];
    const arrivals: number[] = [];
    let error: string | undefined;
    socket.on('data', (chunk) => {
      received.push(chunk);
      arrivals.push(performance.now() - started);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.on('close', () => {
      const all = Buffer.concat(received);
      const split = all.indexOf('\r\n\r\n');
      const headEnd = split === -1 ? all.length : split + 4;
      // The first packet usually carries the headers; count it as a body arrival only if it had body bytes.
      const first = received[0];
      const bodyArrivals = first !== undefined && first.length <= headEnd ? arrivals.slice(1) : arrivals;
      resolve({ head: all.subarray(0, headEnd).toString('latin1'), body: all.subarray(headEnd), arrivals: bodyArrivals, error });
    });
    socket.write(`${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`);
    socket.write(body);
  });
}

async function echo(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; reply: EchoReply }> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, reply: (await response.json()) as EchoReply };
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let upstream: EchoUpstream;
beforeAll(async () => {
  upstream = await startEchoUpstream({ name: 'test-echo', maxEchoBytes: 64 });
});
afterAll(() => upstream.close());

describe('echo reply', () => {
  it('echoes method, path, decoded query, headers and a UTF-8 body with its size and SHA-256', async () => {
    const body = 'héllo wörld';
    const { status, reply } = await echo(`${upstream.url}/a/b%20c?x=1&x=2&y=%20z&__proto__=p`, {
      method: 'PUT',
      headers: { 'X-Custom': 'Value', 'content-type': 'text/plain' },
      body,
    });
    expect(status).toBe(200);
    expect(reply).toMatchObject({
      instance: 'test-echo',
      method: 'PUT',
      path: '/a/b%20c',
      query: { x: ['1', '2'], y: ' z', __proto__: 'p' },
      body,
      bodyBytes: Buffer.byteLength(body),
      bodySha256: sha256(Buffer.from(body)),
    });
    expect(reply.headers).toMatchObject({ 'x-custom': 'Value', 'content-type': 'text/plain', host: `127.0.0.1:${upstream.port}` });
  });

  it('names the instance in the reply and the x-echo-instance header, with JSON content-type and content-length', async () => {
    const response = await fetch(`${upstream.url}/`);
    const text = await response.text();
    expect(response.headers.get('x-echo-instance')).toBe('test-echo');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toMatchObject({ method: 'GET', path: '/', query: {}, body: '', bodyBytes: 0, bodySha256: sha256(Buffer.alloc(0)) });
  });

  it('stamps the arrival time as ISO 8601 and epoch ms', async () => {
    const before = Date.now();
    const { reply } = await echo(`${upstream.url}/`);
    expect(reply.receivedAt).toBeGreaterThanOrEqual(before);
    expect(reply.receivedAt).toBeLessThanOrEqual(Date.now());
    expect(reply.timestamp).toBe(new Date(reply.receivedAt).toISOString());
  });

  it('defaults the instance name to echo-<port>', async () => {
    const unnamed = await startEchoUpstream();
    try {
      expect(unnamed.name).toBe(`echo-${unnamed.port}`);
      expect((await echo(unnamed.url)).reply.instance).toBe(`echo-${unnamed.port}`);
    } finally {
      await unnamed.close();
    }
  });

  it('echoes body null above max-echo-bytes, still counting and hashing every byte', async () => {
    const body = 'x'.repeat(65);
    const { reply } = await echo(upstream.url, { method: 'POST', body });
    expect(reply).toMatchObject({ body: null, bodyBytes: 65, bodySha256: sha256(Buffer.from(body)) });
  });

  it('echoes body null when the body is not valid UTF-8', async () => {
    const body = Buffer.from([0x66, 0xff, 0xfe]);
    const { reply } = await echo(upstream.url, { method: 'POST', body });
    expect(reply).toMatchObject({ body: null, bodyBytes: 3, bodySha256: sha256(body) });
  });

  it('echoes a chunked request body', async () => {
    const exchange = await new Promise<EchoReply>((resolve, reject) => {
      const req = request(upstream.url, { method: 'POST' }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString()) as EchoReply));
      });
      req.on('error', reject);
      req.write('ab');
      setTimeout(() => req.end('cd'), 20);
    });
    expect(exchange).toMatchObject({ body: 'abcd', bodyBytes: 4 });
    expect(exchange.headers['transfer-encoding']).toBe('chunked');
  });
});

describe('fault headers', () => {
  it('answers with the status from x-echo-status, still echoing the request', async () => {
    const { status, reply } = await echo(upstream.url, { headers: { 'x-echo-status': '503' } });
    expect(status).toBe(503);
    expect(reply.instance).toBe('test-echo');
  });

  it('sends neither body nor content-length with x-echo-status: 204', async () => {
    const { head, body } = await rawExchange(upstream.port, 'GET / HTTP/1.1\r\nx-echo-status: 204');
    expect(head).toMatch(/^HTTP\/1\.1 204 /);
    expect(head.toLowerCase()).not.toContain('content-length');
    expect(body.length).toBe(0);
  });

  it('waits x-echo-delay-ms before sending the response headers', async () => {
    const started = performance.now();
    const response = await fetch(upstream.url, { headers: { 'x-echo-delay-ms': '200' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it('resets the connection (TCP RST) without any response on x-echo-reset: 1, after reading the body', async () => {
    const { head, body, error } = await rawExchange(upstream.port, 'POST / HTTP/1.1\r\nx-echo-reset: 1', Buffer.from('payload'));
    expect(error).toBe('ECONNRESET');
    expect(head).toBe('');
    expect(body.length).toBe(0);
  });

  it('makes fetch fail on a reset, as a proxy would see it', async () => {
    await expect(fetch(upstream.url, { headers: { 'x-echo-reset': '1' } })).rejects.toThrow(TypeError);
  });

  it('sends the headers and exactly x-echo-reset-after-bytes body bytes, then closes the connection', async () => {
    const { head, body, error } = await rawExchange(
      upstream.port,
      'GET / HTTP/1.1\r\nx-echo-response-bytes: 100000\r\nx-echo-reset-after-bytes: 1000',
    );
    expect(error).toBeUndefined();
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toContain('content-length: 100000');
    expect(body).toEqual(patternBytes(1000));
  });

  it('truncates an echo reply mid-body, which a client sees as an error', async () => {
    const { head, body } = await rawExchange(upstream.port, 'GET / HTTP/1.1\r\nx-echo-reset-after-bytes: 5');
    expect(head).toContain('content-type: application/json');
    expect(body.toString()).toBe('{"ins');
    const response = await fetch(upstream.url, { headers: { 'x-echo-reset-after-bytes': '5' } });
    await expect(response.text()).rejects.toThrow();
  });

  it('sends only the headers when x-echo-reset-after-bytes is 0', async () => {
    const { head, body } = await rawExchange(upstream.port, 'GET / HTTP/1.1\r\nx-echo-reset-after-bytes: 0');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(body.length).toBe(0);
  });

  it('sends the body in parts x-echo-slow-body-ms apart', async () => {
    const { body, arrivals } = await rawExchange(
      upstream.port,
      'GET / HTTP/1.1\r\nx-echo-response-bytes: 4000\r\nx-echo-slow-body-ms: 100',
    );
    expect(body).toEqual(patternBytes(4000));
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(250);
  });

  it('answers x-echo-error-ratio of the requests with the error status (x-echo-error-status, default 500)', async () => {
    expect((await echo(upstream.url, { headers: { 'x-echo-error-ratio': '1' } })).status).toBe(500);
    expect((await echo(upstream.url, { headers: { 'x-echo-error-ratio': '1', 'x-echo-error-status': '502' } })).status).toBe(502);
    expect((await echo(upstream.url, { headers: { 'x-echo-error-ratio': '0' } })).status).toBe(200);
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => (await echo(upstream.url, { headers: { 'x-echo-error-ratio': '0.5' } })).status),
    );
    const errors = statuses.filter((s) => s === 500).length;
    expect(errors).toBeGreaterThan(40);
    expect(errors).toBeLessThan(160);
  });

  it('resets x-echo-reset-ratio of the requests', async () => {
    await expect(fetch(upstream.url, { headers: { 'x-echo-reset-ratio': '1' } })).rejects.toThrow(TypeError);
    expect((await fetch(upstream.url, { headers: { 'x-echo-reset-ratio': '0' } })).status).toBe(200);
  });

  it.each([
    ['x-echo-status', 'oops'],
    ['x-echo-delay-ms', '-5'],
    ['x-echo-reset', '2'],
    ['x-echo-reset-after-bytes', 'many'],
    ['x-echo-slow-body-ms', '1.5'],
    ['x-echo-error-ratio', '50%'],
    ['x-echo-mode', 'xml'],
    ['x-echo-response-bytes', '-1'],
  ])('answers 400 ECHO_BAD_FAULT_HEADER naming %s when its value is %j', async (header, value) => {
    const response = await fetch(upstream.url, { method: 'POST', body: 'ignored', headers: { [header]: value } });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-echo-instance')).toBe('test-echo');
    const { error } = (await response.json()) as { error: { code: string; header: string; message: string } };
    expect(error.code).toBe('ECHO_BAD_FAULT_HEADER');
    expect(error.header).toBe(header);
    expect(error.message).toMatch(new RegExp(`^${header} expects .+, got "${value.replace('.', '\\.')}"$`));
  });
});

describe('modes', () => {
  it('returns a 20 MiB random body byte-exact in raw mode, with the request content-type', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const response = await fetch(upstream.url, {
      method: 'POST',
      body,
      headers: { 'x-echo-mode': 'raw', 'content-type': 'application/x-lookout-test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-lookout-test');
    expect(response.headers.get('content-length')).toBe(String(body.length));
    const echoed = Buffer.from(await response.arrayBuffer());
    expect(echoed.length).toBe(body.length);
    expect(echoed.equals(body)).toBe(true);
  });

  it('streams raw mode: the response starts before the request body has ended', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = request(upstream.url, { method: 'POST', headers: { 'x-echo-mode': 'raw' } }, (res) => {
        // The request is still open here: only its first chunk has been sent.
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          parts.push(chunk);
          if (parts.length === 1) req.end('second');
        });
        res.on('end', () => resolve(Buffer.concat(parts).toString()));
      });
      req.on('error', reject);
      req.write('first,');
    });
    expect(echoed).toBe('first,second');
  });

  it('truncates a raw reply after x-echo-reset-after-bytes bytes', async () => {
    const { head, body } = await rawExchange(
      upstream.port,
      'POST / HTTP/1.1\r\nx-echo-mode: raw\r\nx-echo-reset-after-bytes: 3',
      Buffer.from('abcdefgh'),
    );
    expect(head).toContain('content-length: 8');
    expect(body.toString()).toBe('abc');
  });

  it('paces a raw reply with x-echo-slow-body-ms', async () => {
    const { body, arrivals } = await rawExchange(
      upstream.port,
      'POST / HTTP/1.1\r\nx-echo-mode: raw\r\nx-echo-slow-body-ms: 60',
      Buffer.from('abcdefgh'),
    );
    expect(body.toString()).toBe('abcdefgh');
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(150);
  });

  it('answers x-echo-response-bytes with that many pattern bytes (byte i = i mod 256)', async () => {
    for (const length of [0, 1, 300, 3 * 1024 * 1024 + 7]) {
      const response = await fetch(upstream.url, { headers: { 'x-echo-response-bytes': String(length) } });
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('content-length')).toBe(String(length));
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.equals(patternBytes(length))).toBe(true);
    }
    expect([...patternBytes(258)].slice(254)).toEqual([254, 255, 0, 1]);
  });
});

describe('defaults from options', () => {
  it('applies the configured faults to every request, and fault headers override them', async () => {
    const slow = await startEchoUpstream({ faults: { status: 418, delayMs: 100 } });
    try {
      const started = performance.now();
      expect((await echo(slow.url)).status).toBe(418);
      expect(performance.now() - started).toBeGreaterThanOrEqual(95);
      const quick = performance.now();
      expect((await echo(slow.url, { headers: { 'x-echo-status': '200', 'x-echo-delay-ms': '0' } })).status).toBe(200);
      expect(performance.now() - quick).toBeLessThan(95);
    } finally {
      await slow.close();
    }
  });

  it('lets x-echo-status override a configured error ratio', async () => {
    const failing = await startEchoUpstream({ faults: { errorRatio: 1, errorStatus: 503 } });
    try {
      expect((await echo(failing.url)).status).toBe(503);
      expect((await echo(failing.url, { headers: { 'x-echo-status': '200' } })).status).toBe(200);
    } finally {
      await failing.close();
    }
  });

  it('rejects invalid options with an EchoOptionError naming the option', async () => {
    await expect(startEchoUpstream({ port: -1 })).rejects.toThrow(new EchoOptionError('port expects an integer from 0 to 65535, got -1'));
    await expect(startEchoUpstream({ faults: { delayMs: 'soon' as never } })).rejects.toThrow(
      'faults.delayMs expects an integer from 0 to 3600000, got "soon"',
    );
  });

  it('fails to start on a port already in use', async () => {
    await expect(startEchoUpstream({ port: upstream.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('close', () => {
  it('lets an in-flight request finish, then refuses connections', async () => {
    const closing = await startEchoUpstream();
    const inFlight = fetch(closing.url, { headers: { 'x-echo-delay-ms': '150' } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await closing.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    await expect(fetch(closing.url)).rejects.toThrow(TypeError);
  });

  it('cuts requests still running after closeGraceMs', async () => {
    const closing = await startEchoUpstream({ closeGraceMs: 50 });
    const inFlight = fetch(closing.url, { headers: { 'x-echo-delay-ms': '10000' } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    await closing.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(inFlight).rejects.toThrow(TypeError);
  });
});
