import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SloStatusDocument, SloTransitionDocument } from '@lookout/telemetry';
import type { SloView } from '../src/engine/slo-view.ts';
import { bulkEvents, createEventIndex, removeEventIndex } from './event-source-seeding.ts';
import { spawnSloEngine, type SpawnedSloEngine } from './spawn-slo-engine.ts';
import { recentEvents } from './recent-events.ts';

/*
 * The engine as a real process with everything in the test Elasticsearch: raw events in the
 * proxy's portable layout, its state, rollups and lease under its own prefix, and the status
 * and transition documents Kibana reads.
 */
const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);

const suffix = randomUUID().slice(0, 8);
const eventsAlias = `test-engine-events-${suffix}`;
const prefix = `test-engine-${suffix}-`;
const statusIndex = `test-engine-status-${suffix}`;
const transitionsIndex = `test-engine-transitions-${suffix}`;
let client: Client;
let engine: SpawnedSloEngine | undefined;


describe.skipIf(!url)('slo-engine on Elasticsearch', () => {
  beforeAll(async () => {
    client = new Client({ node: url });
    await createEventIndex(client, eventsAlias);
    await bulkEvents(client, eventsAlias, [...recentEvents('orders', 400, 200, 55_000), ...recentEvents('users', 300, 0, 55_000)]);
  });

  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });

  afterAll(async () => {
    await removeEventIndex(client, eventsAlias);
    await client.indices.delete({ index: [`${prefix}*`, statusIndex, transitionsIndex], ignore_unavailable: true }).catch(() => undefined);
    await client.close();
  });

  it('evaluates from Elasticsearch, keeps its state there, and writes status and transition documents', async () => {
    const connection = { type: 'elasticsearch', node: url };
    engine = await spawnSloEngine(
      {
        instance: `engine-${suffix}`,
        tick: '1s',
        events: { ...connection, index: eventsAlias },
        state: { ...connection, prefix },
        outputs: { statusIndex, transitionsIndex },
      },
      {
        slos: [
          { name: 'orders-availability', service: 'orders', indicator: { type: 'availability' }, objective: 0.9, window: '10m', hold: '0s' },
          { name: 'users-latency', service: 'users', indicator: { type: 'latency', thresholdMs: 137 }, objective: 0.99, window: '10m', hold: '0s' },
        ],
      },
    );
    const current = engine;
    const views = await until('both SLOs evaluated', async () => {
      const body = (await fetch(`${current.url}/api/slos`).then((response) => response.json())) as { slos: SloView[] };
      return body.slos.every((view) => view.evaluatedAt !== null) ? body.slos : undefined;
    });
    const orders = views.find((view) => view.slo.name === 'orders-availability')!;
    expect(orders).toMatchObject({ status: 'RED', total: 400, good: 200 });
    expect(orders.level).toBeCloseTo(5, 10); // 50 % bad over a 10 % budget
    expect(views.find((view) => view.slo.name === 'users-latency')).toMatchObject({ status: 'GREEN', total: 300 });

    // Documents are written at the end of each tick.
    const latest = await until('the status document', async () => {
      await client.indices.refresh({ index: statusIndex });
      const status = await client.search<SloStatusDocument>({ index: statusIndex, size: 1, query: { term: { 'slo.name': 'orders-availability' } }, sort: [{ '@timestamp': 'desc' }] });
      return status.hits.hits[0]?._source;
    });
    expect(latest).toMatchObject({ observer: { name: `engine-${suffix}` }, service: { target: { name: 'orders' } }, slo: { name: 'orders-availability', kind: 'budget', indicator: 'availability', status: 'RED', total: 400, good: 200, window: '10m', objective: 0.9 } });
    const transitions = await until('the transition document', async () => {
      await client.indices.refresh({ index: transitionsIndex });
      const found = await client.search<SloTransitionDocument>({ index: transitionsIndex, size: 100, query: { term: { 'slo.name': 'orders-availability' } } });
      return found.hits.hits.length > 0 ? found.hits.hits.map((hit) => hit._source?.slo.transition) : undefined;
    });
    expect(transitions).toContainEqual({ kind: 'state', from: 'GREEN', to: 'RED' });

    // The engine's own state lives under its prefix, apart from the documents above.
    const indices = (await client.cat.indices({ index: `${prefix}*`, format: 'json' })) as { index?: string }[];
    expect(indices.map((index) => index.index).sort()).toEqual(expect.arrayContaining([`${prefix}state`, `${prefix}transitions`, `${prefix}deliveries`, `${prefix}lease`]));
  }, 60_000);
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms`);
}
