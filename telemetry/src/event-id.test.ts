import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventIdGenerator, createRequestEventId } from './event-id.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Milliseconds encoded in a UUIDv7. */
function timeOf(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

describe('createRequestEventId', () => {
  it('returns RFC 9562 version 7 UUIDs that the schema accepts', () => {
    const id = createRequestEventId();
    expect(id).toMatch(UUID_V7);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('never repeats over a million generations', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) seen.add(createRequestEventId());
    expect(seen.size).toBe(1_000_000);
  });

  it('encodes the given time and never goes back in time when the clock does', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(timeOf(createRequestEventId(now))).toBe(now);
    expect(timeOf(createRequestEventId(now - 5_000))).toBe(now);
    expect(timeOf(createRequestEventId(now + 1.7))).toBe(now + 1);
  });

  it('sorts in generation order within a process', () => {
    const ids = Array.from({ length: 10_000 }, () => createRequestEventId());
    expect([...ids].sort()).toEqual(ids);
  });

  it('borrows the next millisecond when the counter wraps within one, staying in order', () => {
    const next = createEventIdGenerator('0123456789ab', (1 << 26) - 3);
    const now = Date.UTC(2031, 0, 1);
    const ids = Array.from({ length: 5 }, () => next(now));
    expect(ids.map(timeOf)).toEqual([now, now, now + 1, now + 1, now + 1]);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(5);
    expect(ids[0]).toMatch(/-0123456789ab$/);
  });

  it('gives each process its own random tag', () => {
    const module = fileURLToPath(new URL('./event-id.ts', import.meta.url));
    const script = `import { createRequestEventId } from ${JSON.stringify(module)}; console.log(createRequestEventId(0));`;
    const tags = Array.from({ length: 3 }, () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim().slice(24),
    );
    expect(new Set([...tags, createRequestEventId().slice(24)]).size).toBe(4);
  });
});
