import { describe, expect, test } from 'vitest';
import { telemetryConfigSchema } from './telemetry-config.ts';

describe('telemetry config', () => {
  test('defaults to the embedded sink with bounded queue and spool', () => {
    const config = telemetryConfigSchema.parse({});
    expect(config).toMatchObject({
      sink: 'embedded',
      embedded: { path: 'data/telemetry.sqlite', retention: 35 * 86_400_000 },
      elasticsearch: { node: 'http://127.0.0.1:9200', index: 'lookout-requests', template: 'portable', batchSize: 1000, flushInterval: 1000 },
      queue: { capacity: 8192, whenFull: 'drop-newest' },
      spool: { directory: 'data/telemetry-spool', maxBytes: 1024 ** 3, segmentBytes: 8 * 1024 ** 2, whenFull: 'drop-oldest', fsyncInterval: 1000 },
      closeTimeout: 5000,
    });
  });

  test('takes durations and sizes as text', () => {
    const config = telemetryConfigSchema.parse({ elasticsearch: { flushInterval: '250ms' }, spool: { maxBytes: '64MiB', fsyncInterval: '2s' } });
    expect([config.elasticsearch.flushInterval, config.spool.maxBytes, config.spool.fsyncInterval]).toEqual([250, 64 * 1024 ** 2, 2000]);
  });

  test('refuses contradictory credentials and unknown keys with the path', () => {
    const result = telemetryConfigSchema.safeParse({ elasticsearch: { apiKey: 'k', username: 'u', password: 'p' }, spool: { maxByte: 1 } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['elasticsearch.apiKey', 'spool']));
  });
});
