import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EsTestClient, testElasticsearch } from './test-elasticsearch.ts';
import { eventFactory, testIndex } from './test-events.ts';
import { esPipeline, eventually, segmentFiles, sleep } from './pipeline-helpers.ts';

/*
 * Stops and restarts a real Elasticsearch under a steady event rate. It gets its own instance
 * (LOOKOUT_TEST_ES_OUTAGE_PORT, default 9251) so the suite's shared one stays up for the other
 * files running in parallel. Runs whenever the suite's Elasticsearch could start (so in CI).
 */
const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/elasticsearch.sh', import.meta.url));
const port = process.env.LOOKOUT_TEST_ES_OUTAGE_PORT ?? '9251';
const url = `http://127.0.0.1:${port}`;
const available = testElasticsearch().url !== '';

async function elasticsearch(command: 'start' | 'stop', keepData: boolean): Promise<void> {
  await run('bash', [SCRIPT, command], { env: { ...process.env, ES_PORT: port, ES_KEEP_DATA: keepData ? '1' : '0' }, timeout: 240_000 });
}

describe.skipIf(!available)('Elasticsearch stopped and restarted under steady load', () => {
  const es = new EsTestClient(url);
  beforeAll(async () => {
    await elasticsearch('start', false);
  }, 240_000);
  afterAll(async () => {
    await elasticsearch('stop', true);
  }, 120_000);

  test('loses nothing, duplicates nothing, and leaves the spool empty after the replay', { timeout: 300_000 }, async () => {
    const index = testIndex();
    const events = eventFactory();
    const { pipeline, log, spoolDir } = esPipeline(url, index, { elasticsearch: { batchSize: 500, flushInterval: '250ms', backoff: { min: '250ms', max: '2s' } } });
    await pipeline.start();
    let emitted = 0;
    let emitting = true;
    const rate = 200; // events per second, in 50 ms steps
    const emitter = (async () => {
      const started = Date.now();
      for (let step = 0; emitting && step < 100_000; step++) {
        const due = Math.floor(((Date.now() - started) * rate) / 1000);
        while (emitted < due) pipeline.emit(events.event(emitted++));
        await sleep(50);
      }
    })();

    await sleep(2_000);
    const beforeStop = pipeline.counters.delivered;
    expect(beforeStop).toBeGreaterThan(0);
    await elasticsearch('stop', true);
    const stoppedAt = Date.now();
    await sleep(8_000);
    expect(pipeline.counters.spooled).toBeGreaterThan(0);
    expect(pipeline.spoolEvents).toBeGreaterThan(0);
    await elasticsearch('start', true);
    const downMs = Date.now() - stoppedAt;
    await sleep(3_000);
    emitting = false;
    await emitter;
    await pipeline.flush();

    expect(await eventually(() => pipeline.spoolEvents === 0 && pipeline.heldEvents === 0, 60_000)).toBe(true);
    const ids = await es.ids(index);
    console.log(`outage: down ${downMs} ms, emitted ${emitted}, spooled ${pipeline.counters.spooled}, replayed ${pipeline.counters.replayed}, documents ${ids.length}`);
    expect(ids).toEqual(Array.from({ length: emitted }, (_, i) => events.id(i)));
    expect(pipeline.counters).toMatchObject({ emitted, delivered: emitted, replayed: pipeline.counters.spooled });
    expect(Object.values(pipeline.counters.dropped).every((count) => count === 0)).toBe(true);
    expect(log.withCode('LOOKOUT_ES_UNREACHABLE')).toHaveLength(1);
    expect(log.lines.some((line) => String(line.msg).includes('spool replayed'))).toBe(true);
    await pipeline.close();
    expect(pipeline.spoolBytes).toBe(0);
    expect(segmentFiles(spoolDir)).toEqual([]);
  });
});
