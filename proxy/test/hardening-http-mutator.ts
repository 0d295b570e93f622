/**
 * Random and mutated HTTP/1.1 requests for the proxy's byte-level fuzz test. Deterministic for
 * a seed, so a failure is replayed with `LOOKOUT_FUZZ_SEED=<seed>`.
 */

/** A small fast PRNG (mulberry32): the same seed gives the same inputs. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Well-formed requests the mutations start from (the proxy's test host is `app.test`). */
export const SEED_REQUESTS: readonly string[] = [
  'GET / HTTP/1.1\r\nHost: app.test\r\n\r\n',
  'GET /admin/users?id=7&token=x HTTP/1.1\r\nHost: app.test\r\nUser-Agent: fuzz\r\nAccept: */*\r\n\r\n',
  'POST /orders HTTP/1.1\r\nHost: app.test\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"item":"ab"}',
  'PUT /files/a.txt HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  'DELETE /items/1 HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n',
  'GET http://app.test/abs HTTP/1.1\r\nHost: app.test\r\n\r\n',
  'HEAD /health HTTP/1.1\r\nHost: app.test\r\n\r\n',
  'GET /a HTTP/1.1\r\nHost: app.test\r\n\r\nGET /b HTTP/1.1\r\nHost: app.test\r\n\r\n',
  'POST /c HTTP/1.1\r\nHost: app.test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody',
  'GET /x/%2e%2e/admin/%61 HTTP/1.1\r\nHost: App.Test:8080\r\nCookie: s=1\r\nAuthorization: Bearer t\r\n\r\n',
];

const TOKENS: readonly string[] = [
  '\r\n',
  '\n',
  '\r',
  ' ',
  '\t',
  ':',
  '\0',
  '\x7f',
  '\xff',
  'Content-Length: 5\r\n',
  'Content-Length: -1\r\n',
  'Content-Length: 99999999999999999999\r\n',
  'Transfer-Encoding: chunked\r\n',
  'Transfer-Encoding: chunked, identity\r\n',
  'Host: evil.test\r\n',
  'Host:\r\n',
  'Connection: close, host, content-length\r\n',
  'Expect: 100-continue\r\n',
  'Upgrade: websocket\r\nConnection: Upgrade\r\n',
  '0\r\n\r\n',
  'ffffffff\r\n',
  '5;ext="a\\"b"\r\n',
  '%',
  '%2f',
  '%00',
  '/../',
  '#',
  '\\',
  '?',
  'HTTP/1.0',
  'HTTP/2.0',
  'CONNECT',
  'http://',
  '*',
];

/** A mutated request: one to four mutations of a seed request, or plain random bytes. */
export function mutatedRequest(random: SeededRandom): Buffer {
  if (random.int(10) === 0) return randomBytes(random, 1 + random.int(300));
  let bytes: Buffer = Buffer.from(random.pick(SEED_REQUESTS), 'latin1');
  const count = 1 + random.int(4);
  for (let i = 0; i < count; i++) bytes = mutate(random, bytes);
  return bytes;
}

/** Splits `bytes` into 1-4 writes, so the parser also sees requests cut at random places. */
export function splitForWriting(random: SeededRandom, bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let rest = bytes;
  const cuts = random.int(4);
  for (let i = 0; i < cuts && rest.length > 1; i++) {
    const at = 1 + random.int(rest.length - 1);
    parts.push(rest.subarray(0, at));
    rest = rest.subarray(at);
  }
  parts.push(rest);
  return parts;
}

function mutate(random: SeededRandom, bytes: Buffer): Buffer {
  const at = random.int(bytes.length + 1);
  switch (random.int(9)) {
    case 0: {
      // Flip one bit.
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      const index = random.int(copy.length);
      copy[index] = copy[index]! ^ (1 << random.int(8));
      return copy;
    }
    case 1:
      // Insert a random byte.
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([random.int(256)]), bytes.subarray(at)]);
    case 2:
      // Delete a run of bytes.
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + random.int(8)))]);
    case 3:
      // Insert an HTTP-ish token.
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(random.pick(TOKENS), 'latin1'), bytes.subarray(at)]);
    case 4: {
      // Duplicate a line (duplicate headers, repeated request lines).
      const text = bytes.toString('latin1');
      const lines = text.split('\r\n');
      const index = random.int(lines.length);
      lines.splice(index, 0, lines[index]!);
      return Buffer.from(lines.join('\r\n'), 'latin1');
    }
    case 5:
      // CRLF -> LF everywhere (bare LF framing).
      return Buffer.from(bytes.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
    case 6:
      // Truncate.
      return bytes.subarray(0, at);
    case 7:
      // Append another seed request (pipelining).
      return Buffer.concat([bytes, Buffer.from(random.pick(SEED_REQUESTS), 'latin1')]);
    default: {
      // Blow up one part: a long run of one character.
      const run = Buffer.alloc(1 + random.int(20_000), random.pick([0x61, 0x20, 0x2f, 0x3a, 0x0d, 0x0a, 0x25]));
      return Buffer.concat([bytes.subarray(0, at), run, bytes.subarray(at)]);
    }
  }
}

function randomBytes(random: SeededRandom, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = random.int(256);
  return out;
}
