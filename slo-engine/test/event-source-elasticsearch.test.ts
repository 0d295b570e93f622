import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { EngineError } from '../src/engine-error.ts';
import { ElasticsearchEventSource } from '../src/events/elasticsearch-event-source.ts';
import { eventSourceContract } from './event-source-contract.ts';
import { seededEvents, type SeededEvents } from './event-source-fixture.ts';
import { bulkEvents, createEventIndex, removeEventIndex } from './event-source-seeding.ts';

const SEED = 20_260_122;
const FROM = Date.UTC(2026, 0, 22, 10, 0);
const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);
const name = `lookout-slotest-${randomBytes(4).toString('hex')}`;

describe.skipIf(!url)('ElasticsearchEventSource', () => {
  const client = new Client({ node: url || 'http://127.0.0.1:9', maxRetries: 0 });
  let seeded: SeededEvents;
  let source: ElasticsearchEventSource;

  beforeAll(async () => {
    // The proxy's way: the portable template, the first index behind the write alias, bulk creates.
    await createEventIndex(client, name);
    seeded = seededEvents(SEED, { count: 4_000, from: FROM, minutes: 180 });
    await bulkEvents(client, name, seeded.events);
    source = new ElasticsearchEventSource({ node: url, index: name, maxRetries: 0 });
  });

  afterAll(async () => {
    await source?.close();
    await removeEventIndex(client, name);
    await client.close();
  });

  describe('contract (the events of the SQLite suite, through the portable template and bulk)', () => {
    eventSourceContract(
      () => source,
      () => seeded,
      SEED,
    );
  });

  test('finds exact percentiles in a population larger than one sorted page, in a few searches', async () => {
    // 3000 events of one service in one minute, durations 1..3000 ms spread so the rank's bucket needs narrowing.
    const index = `${name}-000002`;
    await client.indices.create({ index });
    const events = seededEvents(SEED + 9, { count: 3_000, from: FROM + 200 * 60_000, minutes: 1 }).events.map((event, i) => {
      event.service.target = { name: 'bulky' };
      event.lookout.probe = false;
      event.event.duration = (i * 7919) % 3_000_017;
      return event;
    });
    await bulkEvents(client, index, events);
    const wide = new ElasticsearchEventSource({ node: url, index: `${name}-*`, maxRetries: 0 });
    const sorted = events.map((event) => event.event.duration).sort((a, b) => a - b);
    for (const [metric, p] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
      const result = await wide.thresholdSli({ service: 'bulky' }, { type: 'threshold', metric, limit: 1, windowMs: 60_000 }, { from: 0, to: FROM + 400 * 60_000 });
      expect(result).toEqual({ sli: sorted[Math.ceil(p * sorted.length) - 1]! / 1e6, total: 3_000 });
    }
    await wide.close();
  });

  test('an unreachable Elasticsearch: SLO_STORE_UNREACHABLE naming the URL', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const down = new ElasticsearchEventSource({ node: `http://127.0.0.1:${port}`, index: name, maxRetries: 0 });
    const error = await down.countGoodTotal({}, { type: 'availability' }, { from: 0, to: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'SLO_STORE_UNREACHABLE', details: { url: `http://127.0.0.1:${port}` } });
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}`);
    await down.close();
  });

  test('a missing index: SLO_STORE_NOT_INITIALISED naming the index', async () => {
    const missing = new ElasticsearchEventSource({ node: url, index: `${name}-missing`, maxRetries: 0 });
    await expect(missing.countPerMinute({}, { type: 'availability' }, { from: 0, to: 60_000 })).rejects.toMatchObject({
      code: 'SLO_STORE_NOT_INITIALISED',
      message: expect.stringContaining(`"${name}-missing"`),
    });
    await missing.close();
  });

  test('a query Elasticsearch rejects: SLO_STORE_QUERY_FAILED with its reason', async () => {
    const index = `${name}-bad`;
    await client.indices.create({ index, mappings: { properties: { '@timestamp': { type: 'keyword' } } } });
    const bad = new ElasticsearchEventSource({ node: url, index, maxRetries: 0 });
    await expect(bad.countPerMinute({}, { type: 'availability' }, { from: 0, to: 60_000 })).rejects.toMatchObject({
      code: 'SLO_STORE_QUERY_FAILED',
      message: expect.stringMatching(/date_histogram|keyword/),
    });
    await bad.close();
  });
});
