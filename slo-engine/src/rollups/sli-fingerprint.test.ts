import { describe, expect, test } from 'vitest';
import { sliFingerprint } from './sli-fingerprint.ts';

describe('sliFingerprint', () => {
  test('is stable, readable and differs for any change of filter or indicator', () => {
    const key = sliFingerprint({ service: 'orders' }, { type: 'latency', thresholdMs: 137 });
    expect(key).toMatch(/^latency-[0-9a-f]{24}$/);
    expect(sliFingerprint({ service: 'orders' }, { type: 'latency', thresholdMs: 137 })).toBe(key);
    const others = [
      sliFingerprint({ service: 'orders' }, { type: 'latency', thresholdMs: 138 }),
      sliFingerprint({ service: 'orders' }, { type: 'availability' }),
      sliFingerprint({ service: 'users' }, { type: 'latency', thresholdMs: 137 }),
      sliFingerprint({ service: 'orders', host: 'a.example.com' }, { type: 'latency', thresholdMs: 137 }),
      sliFingerprint({ service: 'orders', pathPrefix: '/api' }, { type: 'latency', thresholdMs: 137 }),
      sliFingerprint({ host: 'orders' }, { type: 'latency', thresholdMs: 137 }),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  test('gives the same key to SLIs that select and judge the same events', () => {
    expect(sliFingerprint({ service: 'orders' }, { type: 'latency', thresholdMs: 137.0000000001 })).toBe(sliFingerprint({ service: 'orders' }, { type: 'latency', thresholdMs: 137 }));
    expect(sliFingerprint({ pathPrefix: '' }, { type: 'availability' })).toBe(sliFingerprint({}, { type: 'availability' }));
  });
});
