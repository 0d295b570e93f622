import { describe, expect, it } from 'vitest';
import { hasAdminToken } from './admin-token.ts';

describe('admin token', () => {
  const token = Buffer.from('s3cr3t-token');

  it('accepts the exact bearer token', () => {
    expect(hasAdminToken('Bearer s3cr3t-token', token)).toBe(true);
  });

  it('rejects a missing, different, shorter, longer or non-bearer token', () => {
    for (const header of [undefined, '', 'Bearer ', 'Bearer s3cr3t', 'Bearer s3cr3t-token-and-more', 'Basic s3cr3t-token', 'bearer s3cr3t-token']) {
      expect(hasAdminToken(header, token)).toBe(false);
    }
  });
});
