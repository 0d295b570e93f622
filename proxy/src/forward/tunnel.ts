import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** TCP keep-alive probes on tunnel sockets start after this long idle, so dead peers are found. */
const KEEP_ALIVE_MS = 30_000;
/** Response headers of a 101 that concern only the hop to the upstream (RFC 9110 section 7.6.1). */
const HOP_ONLY = new Set(['keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer']);

/** The upgraded connections (WebSocket) open now, so that a drain can end those still open at its deadline. */
export class TunnelSet {
  readonly #open = new Set<Socket>();

  get size(): number {
    return this.#open.size;
  }

  add(client: Socket): void {
    this.#open.add(client);
  }

  delete(client: Socket): void {
    this.#open.delete(client);
  }

  /** Ends every tunnel (both sockets close: see {@link openTunnel}). */
  closeAll(): void {
    for (const client of this.#open) client.destroy();
    this.#open.clear();
  }
}

/**
 * The `101 Switching Protocols` head the client gets: the upstream's own headers (Upgrade,
 * Connection, Sec-WebSocket-Accept, -Protocol, -Extensions ...) minus those of its hop only.
 */
export function switchingProtocolsHead(headers: Record<string, string | string[] | undefined>): string {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_ONLY.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * Joins the client's upgraded connection and the upstream's: bytes flow both ways as they come
 * (`clientHead`, what the client sent after its request head, goes first), an end on one side
 * is passed to the other (half close), and an error or close on either side closes both. No
 * idle timeout: WebSocket peers ping each other, and TCP keep-alive finds a peer that vanished.
 */
export function openTunnel(client: Socket, upstream: Duplex, clientHead: Buffer, tunnels: TunnelSet): void {
  client.setTimeout(0);
  client.setNoDelay(true);
  client.setKeepAlive(true, KEEP_ALIVE_MS);
  const upstreamSocket = upstream as Partial<Socket>;
  upstreamSocket.setNoDelay?.(true);
  upstreamSocket.setKeepAlive?.(true, KEEP_ALIVE_MS);
  tunnels.add(client);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    tunnels.delete(client);
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
  if (clientHead.length > 0) upstream.write(clientHead);
  upstream.pipe(client);
  client.pipe(upstream);
}
