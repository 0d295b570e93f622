import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, describe, inject } from 'vitest';
import { ElasticsearchEventSource } from '../src/events/elasticsearch-event-source.ts';
import { ElasticsearchRollupStore } from '../src/rollups/elasticsearch-rollup-store.ts';
import { bulkEvents, createEventIndex, removeEventIndex } from './event-source-seeding.ts';
import { windowCounterContract } from './rollup-window-counter-contract.ts';

const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);
const prefix = `lookout-slotest-counter-${randomBytes(4).toString('hex')}`;

describe.skipIf(!url)('WindowCounter over Elasticsearch events and rollups', () => {
  const client = new Client({ node: url || 'http://127.0.0.1:9', maxRetries: 0 });
  const names: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
    for (const name of names) await removeEventIndex(client, name);
    await client.indices.delete({ index: `${prefix}-rollups-*`, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
  });

  windowCounterContract(async () => {
    const name = `${prefix}-events-${names.length}`;
    names.push(name);
    await createEventIndex(client, name);
    const source = new ElasticsearchEventSource({ node: url, index: name, client });
    const rollups = new ElasticsearchRollupStore({ node: url, index: `${prefix}-rollups-${names.length}`, client });
    closers.push(() => source.close(), () => rollups.close());
    return { source, rollups, append: (events) => bulkEvents(client, name, events) };
  }, 4_242, { steps: 12, timeoutMs: 120_000 });
});
