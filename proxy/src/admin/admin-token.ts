import { timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization: Bearer <token>` header carries `expected`, compared in constant
 * time so response timing reveals nothing about the token.
 */
export function hasAdminToken(authorization: string | undefined, expected: Buffer): boolean {
  if (authorization === undefined || !authorization.startsWith('Bearer ')) return false;
  const given = Buffer.from(authorization.slice(7).trim());
  // Compare equal-length buffers always, so the length check costs the same time too.
  const padded = Buffer.alloc(expected.length);
  given.copy(padded, 0, 0, Math.min(given.length, expected.length));
  return timingSafeEqual(padded, expected) && given.length === expected.length;
}
