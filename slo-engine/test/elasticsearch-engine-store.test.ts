import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { EngineError } from '../src/engine-error.ts';
import {
  ENGINE_STORE_MAPPINGS,
  ElasticsearchEngineStore,
  createEngineStoreIndices,
  engineStoreIndices,
} from '../src/persistence/elasticsearch-engine-store.ts';
import { describeEngineStoreContract } from './engine-store-contract.ts';
import { T0, testDelivery, testPersisted } from './engine-store-fixtures.ts';

const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);

/** A prefix of our own on the shared test Elasticsearch. */
export function testPrefix(): string {
  return `lookout-slo-test-${randomBytes(4).toString('hex')}-`;
}

async function removeIndices(prefix: string): Promise<void> {
  await fetch(`${url}/${prefix}*`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
}

describe.skipIf(!url)('Elasticsearch engine store', () => {
  describeEngineStoreContract('Elasticsearch indices', async () => {
    const prefix = testPrefix();
    return {
      open: () => new ElasticsearchEngineStore({ node: url, indexPrefix: prefix, replicas: 0 }),
      remove: () => removeIndices(prefix),
    };
  });

  it('creates its four indices with strict explicit mappings, idempotently, from a setup call', async () => {
    const prefix = testPrefix();
    try {
      const indices = await createEngineStoreIndices({ node: url, indexPrefix: prefix, replicas: 0 });
      expect(indices).toEqual(engineStoreIndices(prefix));
      expect(Object.values(indices)).toEqual([`${prefix}state`, `${prefix}transitions`, `${prefix}deliveries`, `${prefix}lease`]);
      // Again, and from two callers at once: no error.
      await Promise.all([createEngineStoreIndices({ node: url, indexPrefix: prefix }), createEngineStoreIndices({ node: url, indexPrefix: prefix })]);
      const mappings = (await (await fetch(`${url}/${prefix}*/_mapping`)).json()) as Record<string, { mappings: { dynamic: string; properties: Record<string, unknown> } }>;
      for (const [role, index] of Object.entries(indices) as [keyof typeof ENGINE_STORE_MAPPINGS, string][]) {
        expect(mappings[index]?.mappings.dynamic).toBe('strict');
        expect(Object.keys(mappings[index]?.mappings.properties ?? {}).sort()).toEqual(Object.keys(ENGINE_STORE_MAPPINGS[role]).sort());
      }
      // Strict: a document with an unknown field is rejected.
      const rejected = await fetch(`${url}/${indices.lease}/_doc/x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ holder: 'a', surprise: 1 }) });
      expect(rejected.status).toBe(400);
    } finally {
      await removeIndices(prefix);
    }
  });

  it('creates the indices on first use', async () => {
    const prefix = testPrefix();
    const store = new ElasticsearchEngineStore({ node: url, indexPrefix: prefix, replicas: 0 });
    try {
      expect(await store.acquireLease('engine-a', T0, 10_000)).toBe(true);
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries: [testDelivery('d1')] });
      const response = await fetch(`${url}/${prefix}deliveries/_doc/d1`);
      const doc = (await response.json()) as { _source: Record<string, unknown> };
      expect(doc._source).toMatchObject({ id: 'd1', slo: 'checkout-availability', notificationId: 'msg_d1', status: 'pending', claimedBy: null });
    } finally {
      await store.close();
      await removeIndices(prefix);
    }
  });

  it('reports an unreachable Elasticsearch as SLO_STORE_UNREACHABLE naming the URL', async () => {
    const store = new ElasticsearchEngineStore({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeoutMs: 2_000 });
    try {
      const error = await store.loadStates().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'SLO_STORE_UNREACHABLE', details: { url: 'http://127.0.0.1:1' } });
      expect((error as Error).message).toContain('http://127.0.0.1:1');
      await expect(store.acquireLease('engine-a', T0, 10_000)).rejects.toMatchObject({ code: 'SLO_STORE_UNREACHABLE' });
    } finally {
      await store.close();
    }
  });

  it('names neither user nor password of the URL in errors', async () => {
    const store = new ElasticsearchEngineStore({ node: 'http://elastic:secret@127.0.0.1:1', maxRetries: 0, requestTimeoutMs: 2_000 });
    try {
      const error = (await store.loadStates().catch((caught: unknown) => caught)) as EngineError;
      expect(error.code).toBe('SLO_STORE_UNREACHABLE');
      expect(error.message).toContain('127.0.0.1:1');
      expect(error.message).not.toContain('secret');
    } finally {
      await store.close();
    }
  });

  it('reports an index it cannot use as SLO_STATE_STORE_FAILED naming the index', async () => {
    const prefix = testPrefix();
    // An index that exists with an incompatible mapping: the store cannot add its fields.
    await fetch(`${url}/${prefix}lease`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mappings: { properties: { holder: { type: 'long' } } } }) });
    const store = new ElasticsearchEngineStore({ node: url, indexPrefix: prefix, replicas: 0 });
    try {
      const error = (await store.acquireLease('engine-a', T0, 10_000).catch((caught: unknown) => caught)) as EngineError;
      expect(error).toBeInstanceOf(EngineError);
      expect(error.code).toBe('SLO_STATE_STORE_FAILED');
      expect(error.message).toContain(`${prefix}lease`);
      expect(error.message).toContain(url);
    } finally {
      await store.close();
      await removeIndices(prefix);
    }
  });
});
