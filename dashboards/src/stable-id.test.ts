import { describe, expect, it } from 'vitest';
import { stableId } from './stable-id.ts';

describe('stableId', () => {
  it('matches the RFC 9562 version 5 test vector (DNS namespace, www.example.com)', () => {
    expect(stableId('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same id for the same name and different ids for different names', () => {
    expect(stableId('lens:proxy-traffic/requests')).toBe(stableId('lens:proxy-traffic/requests'));
    expect(stableId('lens:proxy-traffic/requests')).not.toBe(stableId('lens:proxy-traffic/bytes'));
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => stableId('x', 'not-a-uuid')).toThrow(/namespace not-a-uuid is not a UUID/);
  });
});
