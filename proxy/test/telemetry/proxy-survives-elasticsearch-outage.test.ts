import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnProxy, type SpawnedProxy } from '../spawn-proxy.ts';
import { eventually, segmentFiles, sleep, tempDir } from './pipeline-helpers.ts';
import { EsTestClient, testElasticsearch } from './test-elasticsearch.ts';
import { testIndex } from './test-events.ts';

/*
 * The whole proxy under steady traffic while its Elasticsearch is down for two minutes. Uses
 * its own instance (LOOKOUT_TEST_ES_OUTAGE_PORT, default 9251; test files run one at a time).
 */
const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/elasticsearch.sh', import.meta.url));
const port = process.env.LOOKOUT_TEST_ES_OUTAGE_PORT ?? '9251';
const esUrl = `http://127.0.0.1:${port}`;
const available = testElasticsearch().url !== '';
const OUTAGE_MS = 120_000;

async function elasticsearch(command: 'start' | 'stop', keepData: boolean): Promise<void> {
  await run('bash', [SCRIPT, command], { env: { ...process.env, ES_PORT: port, ES_KEEP_DATA: keepData ? '1' : '0' }, timeout: 240_000 });
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

describe.skipIf(!available)('the proxy while Elasticsearch is down for two minutes', () => {
  const es = new EsTestClient(esUrl);
  const index = testIndex();
  const dir = tempDir();
  let echo: SpawnedEchoUpstream;
  let proxy: SpawnedProxy;

  beforeAll(async () => {
    await elasticsearch('start', false);
    echo = await spawnEchoUpstream({ name: 'outage' });
    proxy = await spawnProxy({
      listen: { port: 0 },
      services: [{ name: 'app', hosts: ['app.test'], upstreams: [{ url: echo.url }] }],
      telemetry: {
        sink: 'elasticsearch',
        elasticsearch: { node: esUrl, index, flushInterval: '250ms', backoff: { min: '250ms', max: '5s' } },
        spool: { directory: join(dir, 'spool'), fsyncInterval: '1s' },
      },
    });
  }, 240_000);

  afterAll(async () => {
    await proxy?.stop();
    await echo?.stop();
    await elasticsearch('stop', false);
  }, 120_000);

  test('serves every request, then delivers every event exactly once with an empty spool', { timeout: 400_000 }, async () => {
    let sent = 0;
    const clientErrors: string[] = [];
    let running = true;
    const pid = proxy.process.pid!;
    let rssPeak = 0;
    // Steady traffic: ~100 requests per second from one keep-alive client.
    const load = (async () => {
      const deadline = Date.now() + OUTAGE_MS + 120_000;
      while (running && Date.now() < deadline) {
        const started = Date.now();
        try {
          const response = await request(`${proxy.url}/steady/${sent}`, { headers: { host: 'app.test' } });
          await response.body.dump();
          if (response.statusCode !== 200) clientErrors.push(`status ${response.statusCode}`);
        } catch (error) {
          clientErrors.push((error as Error).message);
        }
        sent++;
        rssPeak = Math.max(rssPeak, rssMiB(pid));
        await sleep(Math.max(0, 10 - (Date.now() - started)));
      }
    })();

    await sleep(5_000);
    const rssBefore = rssMiB(pid);
    await elasticsearch('stop', true);
    await sleep(OUTAGE_MS);
    await elasticsearch('start', true);
    await sleep(10_000);
    running = false;
    await load;

    expect(clientErrors).toEqual([]);
    expect(rssPeak - rssBefore).toBeLessThan(50);
    expect(await eventually(async () => (await es.count(index)) >= sent, 120_000)).toBe(true);
    const ids = await es.ids(index);
    console.log(`ES outage through the proxy: sent ${sent}, documents ${ids.length}, RSS before ${rssBefore.toFixed(1)} MiB, peak ${rssPeak.toFixed(1)} MiB`);
    expect(ids).toHaveLength(sent);
    expect(new Set(ids).size).toBe(sent);
    expect(await eventually(() => segmentFiles(join(dir, 'spool')).length === 0, 30_000)).toBe(true);
  });
});
