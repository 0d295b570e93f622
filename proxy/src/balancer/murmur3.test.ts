import { describe, expect, it } from 'vitest';
import { murmur3 } from './murmur3.ts';

/** Byte-wise MurmurHash3 x86_32, written from the reference to check the string variant against. */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;
  const mix = (k: number) => {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    return Math.imul(k, 0x1b873593);
  };
  for (let i = 0; i < blocks; i += 4) {
    h ^= mix(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = bytes[blocks]!;
    if (tail > 1) k |= bytes[blocks + 1]! << 8;
    if (tail > 2) k |= bytes[blocks + 2]! << 16;
    h ^= mix(k);
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('murmur3', () => {
  it('has a byte-wise reference that matches the published MurmurHash3 x86_32 vectors', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    expect(murmur3Bytes(utf8(''), 0)).toBe(0);
    expect(murmur3Bytes(utf8(''), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(utf8(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Bytes(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(murmur3Bytes(utf8('aaaa'), 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3Bytes(utf8('abc'), 0)).toBe(0xb3dd93fa);
    expect(murmur3Bytes(utf8('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3Bytes(utf8('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('equals MurmurHash3 x86_32 of the UTF-16LE bytes of the string, for odd and even lengths', () => {
    for (const text of ['', 'a', 'ab', 'abc', '10.0.0.1', 'session-4f2a9c', 'ünïcødé ☃ 😀', 'x'.repeat(101)]) {
      for (const seed of [0, 42, 0x9747b28c]) {
        expect(murmur3(text, seed)).toBe(murmur3Bytes(Buffer.from(text, 'utf16le'), seed));
      }
    }
  });

  it('returns an unsigned 32-bit integer', () => {
    for (let i = 0; i < 1000; i++) {
      const hash = murmur3(`key-${i}`);
      expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    }
  });
});
