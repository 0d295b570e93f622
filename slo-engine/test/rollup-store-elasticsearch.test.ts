import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { ElasticsearchRollupStore } from '../src/rollups/elasticsearch-rollup-store.ts';
import { rollupStoreContract } from './rollup-store-contract.ts';

const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);
const prefix = `lookout-slotest-rollups-${randomBytes(4).toString('hex')}`;

describe.skipIf(!url)('ElasticsearchRollupStore', () => {
  const client = new Client({ node: url || 'http://127.0.0.1:9', maxRetries: 0 });
  const stores: ElasticsearchRollupStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
  });

  rollupStoreContract(async () => {
    const store = new ElasticsearchRollupStore({ node: url, index: `${prefix}-${stores.length}`, maxRetries: 0 });
    stores.push(store);
    return store;
  });

  test('creates its index with a strict mapping on first use', async () => {
    const index = `${prefix}-mapping`;
    const store = new ElasticsearchRollupStore({ node: url, index, maxRetries: 0 });
    stores.push(store);
    await store.write('k', { from: 0, to: 60_000 }, [{ minute: 0, good: 1, total: 1 }]);
    const mapping = await client.indices.getMapping({ index });
    expect(mapping[index]?.mappings.dynamic).toBe('strict');
  });

  test('an unreachable Elasticsearch: SLO_STATE_STORE_FAILED naming the URL', async () => {
    const store = new ElasticsearchRollupStore({ node: 'http://127.0.0.1:9', index: `${prefix}-down`, maxRetries: 0 });
    await expect(store.coverage('k')).rejects.toMatchObject({ code: 'SLO_STATE_STORE_FAILED', message: expect.stringContaining('http://127.0.0.1:9') });
    await store.close();
  });
});
