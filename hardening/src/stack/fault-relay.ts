import { connect, createServer, type Server, type Socket } from 'node:net';

/** What the relay does to the traffic that passes it. */
export type RelayFault =
  | { readonly kind: 'none' }
  /** Every chunk from the upstream reaches the proxy `ms` later (a slow member: headers and body). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** The first response on each connection is cut after its headers and `bytes` body bytes (TCP RST). */
  | { readonly kind: 'reset-mid-body'; readonly bytes: number }
  /** Connections are reset (TCP RST) as soon as a request arrives, before any response byte. */
  | { readonly kind: 'reset' };

const HEADER_END = Buffer.from('\r\n\r\n');
const RESET_AFTER_WRITE_MS = 20;

/**
 * A TCP relay on 127.0.0.1 in front of one upstream member whose fault can be switched while
 * traffic flows, so a member turns slow or starts resetting without a restart (a restart
 * would itself be a fault: refused connections that get the member ejected first). The
 * proxy's active health checks pass it too, and see the same fault.
 */
export class FaultRelay {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #fault: RelayFault = { kind: 'none' };

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
  }

  /** Starts a relay to `targetUrl` (an http origin) on an ephemeral port. */
  static async start(targetUrl: string): Promise<FaultRelay> {
    const url = new URL(targetUrl);
    const server = createServer();
    const relay = new FaultRelay(server, { host: url.hostname, port: Number(url.port) });
    server.on('connection', (client) => relay.#relay(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
  }

  /** Applies to data that passes from now on, on every connection. */
  setFault(fault: RelayFault): void {
    this.#fault = fault;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #relay(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const reset = (): void => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    // Per connection: where in the first response we are (for reset-mid-body).
    let seen = Buffer.alloc(0);
    let bodyStart = -1;
    let cut = false;
    client.on('data', (chunk: Buffer) => {
      if (this.#fault.kind === 'reset') return reset();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const fault = this.#fault;
      if (cut) return;
      if (fault.kind === 'delay') {
        setTimeout(() => client.writable && client.write(chunk), fault.ms);
        return;
      }
      if (fault.kind === 'reset-mid-body') {
        seen = Buffer.concat([seen, chunk]);
        if (bodyStart === -1) {
          const end = seen.indexOf(HEADER_END);
          if (end === -1) return; // headers incomplete: hold them back
          bodyStart = end + HEADER_END.length;
        }
        if (seen.length < bodyStart + fault.bytes) return;
        cut = true;
        // A RST discards what the peer has not read yet: let the cut bytes arrive first.
        client.write(seen.subarray(0, bodyStart + fault.bytes), () => setTimeout(reset, RESET_AFTER_WRITE_MS));
        return;
      }
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => {
      if (cut) return;
      if (this.#fault.kind === 'delay') setTimeout(() => client.end(), this.#fault.ms);
      else client.end();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!cut && this.#fault.kind !== 'delay') client.destroy();
    });
  }
}
