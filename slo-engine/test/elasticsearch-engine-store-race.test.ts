import { randomBytes } from 'node:crypto';
import { afterAll, describe, inject, it } from 'vitest';
import { ElasticsearchEngineStore } from '../src/persistence/elasticsearch-engine-store.ts';
import { raceTwoProcesses } from './engine-store-race.ts';

const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);

describe.skipIf(!url)('ElasticsearchEngineStore shared by two engine processes', () => {
  const prefix = `lookout-slo-test-${randomBytes(4).toString('hex')}-`;
  afterAll(async () => {
    await fetch(`${url}/${prefix}*`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
  });

  it('gives each of 200 deliveries to exactly one process and the lease to one process at a time', { timeout: 90_000 }, async () => {
    await raceTwoProcesses({
      backend: { backend: 'elasticsearch', url, prefix },
      open: () => new ElasticsearchEngineStore({ node: url, indexPrefix: prefix, replicas: 0 }),
      deliveries: 200,
      durationMs: 6_000,
      ttlMs: 600,
      batch: 10,
    });
  });
});
