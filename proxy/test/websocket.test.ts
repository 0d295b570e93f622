import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect as connectSocket, type AddressInfo } from 'node:net';
import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

/**
 * A real WebSocket upstream (the `ws` library) that echoes every message prefixed with its
 * name, picks the `chat` subprotocol, and refuses upgrades to /forbidden with a plain 403.
 */
class ChatUpstream {
  readonly upgrades: { url: string; headers: IncomingHttpHeaders }[] = [];
  readonly server: Server;
  readonly sockets = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false) });
  readonly name: string;
  url = '';

  constructor(name: string) {
    this.name = name;
    this.server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`plain from ${name}`));
    this.server.on('upgrade', (req, socket, head) => {
      this.upgrades.push({ url: req.url!, headers: req.headers });
      if (req.url === '/forbidden') {
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 9\r\nconnection: close\r\n\r\nforbidden');
        return;
      }
      this.sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data: RawData, binary: boolean) => ws.send(binary ? Buffer.concat([Buffer.from(`${name}:`), data as Buffer]) : `${name}:${String(data)}`, { binary }));
      });
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let chat: ChatUpstream;
let dead: ChatUpstream;
let echo: SpawnedEchoUpstream;
let proxy: SpawnedProxy;
const clients: WebSocket[] = [];

beforeAll(async () => {
  chat = await new ChatUpstream('chat-1').start();
  // A member that is down: its port is closed, so connecting fails before anything is sent.
  dead = await new ChatUpstream('dead').start();
  await dead.stop();
  echo = await spawnEchoUpstream({ name: 'plain' });
  proxy = await spawnProxy({
    listen: { port: 0 },
    services: [
      { name: 'chat', hosts: ['chat.test'], upstreams: [{ url: dead.url }, { url: chat.url }], outlierDetection: false },
      { name: 'plain', hosts: ['plain.test'], upstreams: [{ url: echo.url }] },
    ],
  });
}, 30_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
});

afterAll(async () => {
  await proxy?.stop();
  await chat?.stop();
  await echo?.stop();
});

/** A WebSocket client through the proxy; resolves once open, or rejects with the HTTP status of a refused upgrade. */
async function connect(host: string, path: string, protocols: string[] = ['chat']): Promise<WebSocket> {
  const client = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`, protocols, { headers: { host } });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('open', resolve);
    client.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    client.once('error', reject);
  });
  return client;
}

async function exchange(client: WebSocket, message: string | Buffer): Promise<{ data: Buffer; binary: boolean }> {
  const reply = once(client, 'message') as Promise<[Buffer, boolean]>;
  client.send(message, { binary: typeof message !== 'string' });
  const [data, binary] = await reply;
  return { data, binary };
}

describe('WebSocket', () => {
  it('upgrades through the proxy and relays text and binary messages both ways, on a member that answers', async () => {
    const client = await connect('chat.test', '/room/1?token=s3cr3t');
    expect(client.protocol).toBe('chat');
    expect(await exchange(client, 'hello')).toEqual({ data: Buffer.from('chat-1:hello'), binary: false });
    const payload = Buffer.from([0, 1, 2, 255]);
    expect(await exchange(client, payload)).toEqual({ data: Buffer.concat([Buffer.from('chat-1:'), payload]), binary: true });
    // Many messages, in order.
    const replies: string[] = [];
    client.on('message', (data: Buffer) => replies.push(String(data)));
    for (let i = 0; i < 50; i++) client.send(`m${i}`);
    await vi.waitFor(() => expect(replies).toHaveLength(50));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => `chat-1:m${i}`));

    // The upstream saw the handshake with the proxy's forwarding headers and the client's WebSocket headers.
    const seen = chat.upgrades.at(-1)!;
    expect(seen.url).toBe('/room/1?token=s3cr3t');
    expect(seen.headers['upgrade']).toBe('websocket');
    expect(seen.headers['sec-websocket-protocol']).toBe('chat');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    // One event for the upgrade, when the tunnel opened: status 101 on the member that answered
    // (the dead one was tried first and skipped: connection refused before anything was sent).
    const event = await proxy.storedEventFor('/room/1');
    expect(event.http.response.status_code).toBe(101);
    expect(event.lookout.termination).toBe('ok');
    expect(event.lookout.upstream?.member).toBe(chat.url);
    expect(event.url.query).toBe('token=REDACTED');
  });

  it('passes a refused upgrade (403 from the upstream) to the client and records it', async () => {
    await expect(connect('chat.test', '/forbidden')).rejects.toThrow('HTTP 403');
    const event = await proxy.storedEventFor('/forbidden');
    expect(event.http.response.status_code).toBe(403);
  });

  it('answers an upgrade for an unknown host with 404 PROXY_NO_ROUTE', async () => {
    await expect(connect('nobody.test', '/x')).rejects.toThrow('HTTP 404');
    expect((await proxy.storedEventFor('/x')).error?.code).toBe('PROXY_NO_ROUTE');
  });

  it('closes the client side when the upstream goes away, and the other way round', async () => {
    const client = await connect('chat.test', '/room/2');
    await exchange(client, 'ping');
    const upstreamSide = [...chat.sockets.clients].at(-1)!;
    const closed = once(client, 'close');
    upstreamSide.terminate();
    await closed;

    const second = await connect('chat.test', '/room/3');
    await exchange(second, 'ping');
    const upstreamSecond = [...chat.sockets.clients].at(-1)!;
    const upstreamClosed = once(upstreamSecond, 'close');
    second.terminate();
    await upstreamClosed;
  });

  it('serves an Upgrade other than websocket (h2c) as a plain request, the Upgrade header dropped', async () => {
    // Raw bytes: HTTP clients refuse to send an Upgrade header themselves.
    const socket = connectSocket(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /h2c HTTP/1.1\r\nHost: plain.test\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n');
    let raw = '';
    for await (const chunk of socket) raw += String(chunk);
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    const reply = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as EchoReply;
    expect(reply.path).toBe('/h2c');
    expect(reply.headers['upgrade']).toBeUndefined();
    expect(reply.headers['http2-settings']).toBeUndefined();
  });
});

describe('WebSocket during a drain', () => {
  it('keeps an open tunnel until drain.timeout, then closes it and exits', async () => {
    const draining = await spawnProxy({
      listen: { port: 0 },
      drain: { timeout: '1s' },
      services: [{ name: 'chat', hosts: ['chat.test'], upstreams: [{ url: chat.url }] }],
    });
    const client = new WebSocket(`ws://127.0.0.1:${draining.port}/room/drain`, ['chat'], { headers: { host: 'chat.test' } });
    clients.push(client);
    await once(client, 'open');
    await exchange(client, 'before');
    const closed = once(client, 'close');
    const started = performance.now();
    draining.process.kill('SIGTERM');
    // Still a working tunnel while the drain runs.
    expect(await exchange(client, 'during')).toEqual({ data: Buffer.from('chat-1:during'), binary: false });
    await closed;
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3_000);
    await draining.waitForLog((line) => line.msg === 'drain timeout: closing remaining connections' && line.tunnels === 1, 5_000);
    await draining.stop();
  });
});
