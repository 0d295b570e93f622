import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EsTestClient, indicesRemovedAfterAll, testElasticsearch } from './test-elasticsearch.ts';
import { eventFactory } from './test-events.ts';
import { esPipeline, eventually, segmentFiles, sleep } from './pipeline-helpers.ts';
import { TcpRelay } from './tcp-relay.ts';

const { url, problem } = testElasticsearch();
if (!url) console.warn(`skipping Elasticsearch tests: ${problem}`);

describe.skipIf(!url)('elasticsearch sink against a real Elasticsearch', () => {
  const es = new EsTestClient(url);
  const newIndex = indicesRemovedAfterAll(es);

  test('delivers N emitted events as exactly N documents with the same ids', async () => {
    const index = newIndex();
    const events = eventFactory();
    const { pipeline, spoolDir } = esPipeline(url, index);
    await pipeline.start();
    const n = 5_000;
    for (let i = 0; i < n; i++) {
      pipeline.emit(events.event(i));
      if (i % 500 === 499) await sleep(20);
    }
    await pipeline.flush();
    expect(await es.waitForCount(index, n)).toBe(n);
    expect(await es.ids(index)).toEqual(Array.from({ length: n }, (_, i) => events.id(i)));
    await pipeline.close();
    // A burst faster than Elasticsearch indexes goes through the spool (backpressure): counted once either way.
    expect(pipeline.counters).toMatchObject({ emitted: n, delivered: n, replayed: pipeline.counters.spooled });
    expect(Object.values(pipeline.counters.dropped).every((count) => count === 0)).toBe(true);
    expect(segmentFiles(spoolDir)).toEqual([]);
  });

  test('delivers everything queued when closed right after emitting', async () => {
    const index = newIndex();
    const events = eventFactory();
    const { pipeline } = esPipeline(url, index, { elasticsearch: { flushInterval: '10s', batchSize: 10_000 } });
    await pipeline.start();
    const n = 3_000;
    for (let i = 0; i < n; i++) pipeline.emit(events.event(i));
    expect(pipeline.queueDepth).toBe(n);
    await pipeline.close();
    expect(pipeline.counters.delivered).toBe(n);
    expect(await es.count(index)).toBe(n);
  });

  describe('with the network to Elasticsearch cut (a relay that refuses connections)', () => {
    let relay: TcpRelay;
    beforeAll(async () => {
      relay = await TcpRelay.create(url);
    });
    afterAll(async () => {
      await relay.down();
    });

    test('spools what close() cannot deliver, and the next start replays it', async () => {
      await relay.down();
      const index = newIndex();
      const events = eventFactory();
      const first = esPipeline(relay.url, index, { closeTimeout: '1s' });
      await first.pipeline.start();
      const n = 1_500;
      for (let i = 0; i < n; i++) first.pipeline.emit(events.event(i));
      await first.pipeline.close();
      expect(first.pipeline.counters).toMatchObject({ emitted: n, delivered: 0, spooled: n });
      expect(segmentFiles(first.spoolDir).length).toBeGreaterThan(0);

      await relay.up();
      const second = esPipeline(relay.url, index, { spool: { directory: first.spoolDir } });
      await second.pipeline.start();
      expect(await eventually(() => second.pipeline.spoolEvents === 0 && second.pipeline.counters.replayed === n)).toBe(true);
      expect(await es.ids(index)).toEqual(Array.from({ length: n }, (_, i) => events.id(i)));
      await second.pipeline.close();
      expect(segmentFiles(first.spoolDir)).toEqual([]);
    });

    for (const whenFull of ['drop-oldest', 'drop-newest'] as const) {
      test(`applies ${whenFull} when the spool is full, counting exactly the shortfall`, async () => {
        await relay.down();
        const index = newIndex();
        const events = eventFactory();
        const { pipeline, log } = esPipeline(relay.url, index, {
          spool: { maxBytes: '96KiB', segmentBytes: '16KiB', whenFull },
          elasticsearch: { batchSize: 50 },
        });
        await pipeline.start();
        const n = 1_000;
        for (let i = 0; i < n; i++) {
          pipeline.emit(events.event(i));
          if (i % 100 === 99) await sleep(30);
        }
        await pipeline.flush();
        expect(pipeline.spoolBytes).toBeLessThanOrEqual(96 * 1024);
        // Settled once a replay probe cut short by drop-oldest has failed again (its events are counted then).
        expect(await eventually(() => pipeline.counters.dropped.spool_full + pipeline.spoolEvents === n, 5_000)).toBe(true);
        const dropped = pipeline.counters.dropped.spool_full;
        expect(dropped).toBeGreaterThan(0);

        await relay.up();
        expect(await eventually(() => pipeline.spoolEvents === 0, 30_000)).toBe(true);
        await pipeline.close();
        const ids = await es.ids(index);
        expect(ids.length).toBe(n - dropped);
        const expected = whenFull === 'drop-oldest'
          ? Array.from({ length: n - dropped }, (_, i) => events.id(dropped + i)) // the newest survive
          : Array.from({ length: n - dropped }, (_, i) => events.id(i)); // the oldest survive
        expect(ids).toEqual(expected);
        expect(pipeline.counters.delivered).toBe(n - dropped);
        expect(log.withCode('LOOKOUT_ES_UNREACHABLE')).toHaveLength(1);
      });
    }
  });
});
