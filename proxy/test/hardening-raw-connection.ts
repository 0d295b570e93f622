import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response as read off the wire. */
export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated names joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A client connection that writes exactly the bytes a test gives it (no client library
 * normalising them) and reads the proxy's responses one by one, so a test can tell whether the
 * proxy kept or closed the connection after answering.
 */
export class RawConnection {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #closedPromise: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('error', () => {});
    this.#closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.#closed = true;
        this.#wake?.();
        resolve();
      }),
    );
  }

  /** Connects to 127.0.0.1:`port`. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Whether the peer has closed the connection (or it was destroyed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received and not yet consumed as a response. */
  get pending(): Buffer {
    return this.#buffer;
  }

  write(data: string | Buffer): void {
    if (!this.#closed && this.socket.writable) this.socket.write(data);
  }

  /** Writes `parts` one after the other with `gapMs` between them (a slow client). */
  async trickle(parts: readonly (string | Buffer)[], gapMs: number): Promise<void> {
    for (const part of parts) {
      if (this.#closed) return;
      this.write(part);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  }

  /** The next complete response; rejects when the connection closes first or after `timeoutMs`. */
  async response(timeoutMs = 5_000): Promise<RawResponse> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const parsed = takeResponse(this.#buffer);
      if (parsed !== undefined) {
        this.#buffer = this.#buffer.subarray(parsed.consumed);
        return parsed.response;
      }
      if (this.#closed) throw new Error(`connection closed before a complete response; received: ${JSON.stringify(this.#buffer.toString('latin1').slice(0, 300))}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no complete response in ${timeoutMs} ms; received: ${JSON.stringify(this.#buffer.toString('latin1').slice(0, 300))}`);
      await this.#waitForData(left);
    }
  }

  /** Resolves true once the peer closes the connection, false if it is still open after `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    if (this.#closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([this.#closedPromise.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }
}

/** Parses one response (Content-Length, chunked or no body) from the start of `buffer`. */
function takeResponse(buffer: Buffer): { response: RawResponse; consumed: number } | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const start = end + 4;
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
    let at = start;
    let body = '';
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) {
        if (buffer.length < lineEnd + 4) return undefined;
        return { response: { status, headers, body }, consumed: lineEnd + 4 };
      }
      if (buffer.length < lineEnd + 2 + size + 2) return undefined;
      body += buffer.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8');
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
  if (buffer.length < start + length) return undefined;
  return { response: { status, headers, body: buffer.subarray(start, start + length).toString('utf8') }, consumed: start + length };
}
