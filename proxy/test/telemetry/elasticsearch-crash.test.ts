import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { DRAIN_INTERVAL_MS } from '../../src/telemetry/telemetry-pipeline.ts';
import { EsTestClient, testElasticsearch } from './test-elasticsearch.ts';
import { eventFactoryWithRun, testIndex } from './test-events.ts';
import { esPipeline, eventually, segmentFiles, sleep, tempDir } from './pipeline-helpers.ts';
import { TcpRelay } from './tcp-relay.ts';

const { url } = testElasticsearch();
const CHILD = fileURLToPath(new URL('./emitter-child.ts', import.meta.url));

describe.skipIf(!url)('a SIGKILLed process', () => {
  const es = new EsTestClient(url);
  const indices: string[] = [];
  afterAll(async () => {
    for (const index of indices) await es.remove(index);
  });

  // Documented bound: a killed process loses the events it still held in memory, i.e. those
  // emitted during the last flushInterval (+ one batcher turn); what reached the spool file is
  // in the kernel's page cache and survives. fsyncInterval bounds the loss on power failure only.
  const rate = 1_000;
  const flushInterval = 250;
  for (const round of [1, 2]) {
    test(`loses at most the events of the last flushInterval (round ${round}), and the next start replays the rest`, { timeout: 60_000 }, async () => {
      const index = testIndex();
      indices.push(index);
      const spoolDir = tempDir('lookout-spool-kill-');
      const countFile = join(tempDir('lookout-count-'), 'emitted');
      const run = randomBytes(4).toString('hex');
      const nowhere = await TcpRelay.create(url); // refuses connections: the child spools everything
      const child = spawn(process.execPath, [CHILD, nowhere.url, index, spoolDir, countFile, run, String(rate), String(flushInterval), '1000'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`emitter exited early (${code})`)));
      });
      await sleep(2_000 + Math.random() * 1_000);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const emitted = Number(readFileSync(countFile, 'utf8').trim());
      expect(emitted).toBeGreaterThan(1_500);

      const { pipeline } = esPipeline(url, index, { spool: { directory: spoolDir } });
      await pipeline.start();
      expect(await eventually(() => pipeline.spoolEvents === 0, 30_000)).toBe(true);
      await pipeline.close();
      expect(segmentFiles(spoolDir)).toEqual([]);
      const events = eventFactoryWithRun(run);
      const ids = await es.ids(index);
      const kept = ids.length;
      // What arrived is exactly the oldest `kept` events: no gap, no duplicate.
      expect(ids).toEqual(Array.from({ length: kept }, (_, i) => events.id(i)));
      const lost = emitted - kept;
      const bound = Math.ceil((rate * (flushInterval + DRAIN_INTERVAL_MS)) / 1000) + rate / 100;
      console.log(`SIGKILL round ${round}: emitted ${emitted}, replayed ${kept}, lost ${lost} (bound ${bound})`);
      expect(lost).toBeGreaterThanOrEqual(0);
      expect(lost).toBeLessThanOrEqual(bound);
    });
  }
});
