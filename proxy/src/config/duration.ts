import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * A duration in the config: a number of milliseconds, or a string such as `250ms`, `5s`,
 * `2m`, `1h`. Parsed to milliseconds.
 */
export const duration = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as "250ms", "5s", "2m" or a number of milliseconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
});

const SIZE_UNITS = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 } as const;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kib|mib|gib|kb|mb|gb)$/i;

/** A size in bytes: a number, or a string such as `16KiB`, `50MiB`. */
export const byteSize = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const match = typeof value === 'string' ? SIZE.exec(value.trim()) : null;
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `expected a size such as "16KiB" or "50MiB" or a number of bytes, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase() as keyof typeof SIZE_UNITS]);
});
