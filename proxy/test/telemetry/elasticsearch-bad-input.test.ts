import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RequestEvent } from '@lookout/telemetry';
import { ElasticsearchConnection } from '../../src/telemetry/elasticsearch-connection.ts';
import { setUpIndex } from '../../src/telemetry/index-setup.ts';
import { EsTestClient, indicesRemovedAfterAll, testElasticsearch } from './test-elasticsearch.ts';
import { eventFactory } from './test-events.ts';
import { esPipeline, eventually, sleep } from './pipeline-helpers.ts';
import { TcpRelay } from './tcp-relay.ts';

const { url } = testElasticsearch();

/** Emits `count` events over `ms`, in steps of 100 ms. */
async function emitSteadily(emit: (n: number) => void, count: number, ms: number): Promise<void> {
  const steps = Math.max(1, Math.round(ms / 100));
  let n = 0;
  for (let step = 0; step < steps; step++) {
    const until = Math.round(((step + 1) * count) / steps);
    for (; n < until; n++) emit(n);
    await sleep(100);
  }
}

describe.skipIf(!url)('bad input: one clear log line and a counter each, no crash, no retry storm', () => {
  const es = new EsTestClient(url);
  const newIndex = indicesRemovedAfterAll(es);

  test('an unreachable Elasticsearch URL logs once, counts each attempt, spools the events and retries with backoff', async () => {
    const relay = await TcpRelay.create(url); // a loopback port where nothing listens
    const events = eventFactory();
    const { pipeline, log } = esPipeline(relay.url, newIndex(), { elasticsearch: { backoff: { min: '200ms', max: '1s' } } });
    await pipeline.start();
    await emitSteadily((n) => pipeline.emit(events.event(n)), 300, 3_000);
    await pipeline.flush();
    const lines = log.withCode('LOOKOUT_ES_UNREACHABLE');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/Elasticsearch cannot be reached: .*ECONNREFUSED/);
    expect(lines[0]!.level).toBe(40);
    // ~3 s with delays from 200 ms doubling to 1 s: a handful of attempts, not one per batch or event.
    expect(pipeline.counters.failures.unreachable).toBeGreaterThanOrEqual(2);
    expect(pipeline.counters.failures.unreachable).toBeLessThanOrEqual(8);
    expect(pipeline.counters.spooled).toBe(300);
    expect(pipeline.spoolEvents).toBe(300);
    await pipeline.close();
  });

  describe('with a server that answers 401 to everything (Elasticsearch with security on, wrong credentials)', () => {
    let server: Server;
    let requests = 0;
    let authorization: string | undefined;
    beforeAll(async () => {
      server = createServer((req, res) => {
        requests++;
        authorization = req.headers.authorization;
        req.resume();
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="security"' });
        res.end(JSON.stringify({ error: { type: 'security_exception', reason: 'unable to authenticate user [lookout] for REST request [/_bulk]' }, status: 401 }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('wrong credentials log once with the reason, count each attempt and spool the events', async () => {
      const port = (server.address() as { port: number }).port;
      const events = eventFactory();
      const { pipeline, log } = esPipeline(`http://127.0.0.1:${port}`, newIndex(), {
        elasticsearch: { username: 'lookout', password: 'wrong', backoff: { min: '200ms', max: '1s' } },
      });
      await pipeline.start();
      await emitSteadily((n) => pipeline.emit(events.event(n)), 300, 3_000);
      await pipeline.flush();
      expect(authorization).toBe(`Basic ${Buffer.from('lookout:wrong').toString('base64')}`);
      const lines = log.withCode('LOOKOUT_ES_UNAUTHORIZED');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.level).toBe(50);
      expect(lines[0]!.msg).toMatch(/refused the credentials.*401 security_exception: unable to authenticate user \[lookout\]/);
      expect(pipeline.counters.failures.auth).toBeGreaterThanOrEqual(2);
      expect(requests).toBeLessThanOrEqual(10);
      expect(pipeline.counters.spooled).toBe(300);
      await pipeline.close();
    });
  });

  test('a mapping conflict logs once with the reason and keeps the valid events in the spool', async () => {
    const index = newIndex();
    // An index behind the write alias whose mapping disagrees with the contract: `http` is a keyword.
    const created = await es.request('PUT', `/${index}-000001`, {
      aliases: { [index]: { is_write_index: true } },
      mappings: { properties: { http: { type: 'keyword' } } },
    });
    expect(created.status).toBe(200);
    const events = eventFactory();
    const { pipeline, log } = esPipeline(url, index);
    await pipeline.start();
    for (let n = 0; n < 20; n++) pipeline.emit(events.event(n));
    await pipeline.flush();
    await sleep(1_500);
    const lines = log.withCode('LOOKOUT_ES_MAPPING_CONFLICT');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(50);
    expect(lines[0]!.msg).toMatch(/mapping conflict.*400 document_parsing_exception: .*failed to parse field \[http\] of type \[keyword\]/);
    expect(pipeline.counters.failures.mapping).toBeGreaterThanOrEqual(1);
    expect(pipeline.counters.failures.mapping).toBeLessThanOrEqual(6);
    expect(pipeline.counters.dropped.rejected).toBe(0);
    expect(pipeline.counters.spooled).toBe(20);
    expect(pipeline.spoolEvents).toBe(20);

    // The operator fixes the mapping (a new write index from the template): the spool drains.
    await es.request('DELETE', `/${index}-000001`);
    await es.request('PUT', `/${index}-000002`, { aliases: { [index]: { is_write_index: true } } });
    expect(await eventually(() => pipeline.spoolEvents === 0, 15_000)).toBe(true);
    expect(await es.count(index)).toBe(20);
    await pipeline.close();
  });

  test('a document that breaks the contract is rejected with one log line naming the reason, and the rest are delivered', async () => {
    const index = newIndex();
    const events = eventFactory();
    const { pipeline, log } = esPipeline(url, index);
    await pipeline.start();
    for (let n = 0; n < 10; n++) {
      const event = events.event(n);
      if (n === 3 || n === 7) (event.http.response as { status_code: unknown }).status_code = 'teapot';
      pipeline.emit(event as RequestEvent);
    }
    await pipeline.flush();
    expect(pipeline.counters.delivered).toBe(8);
    expect(pipeline.counters.dropped.rejected).toBe(2);
    expect(pipeline.counters.spooled).toBe(0);
    const lines = log.withCode('LOOKOUT_ES_DOCUMENT_REJECTED');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: events.id(3), status: 400, rejected: 2 });
    expect(lines[0]!.msg).toMatch(/document_parsing_exception: .*\[http\.response\.status_code\].*contract: http\.response\.status_code: /);
    expect(await es.count(index)).toBe(8);

    // Later rejections within the minute are counted, not logged again.
    const bad = events.event(100);
    (bad as { extra?: unknown }).extra = true;
    pipeline.emit(bad);
    await pipeline.flush();
    expect(pipeline.counters.dropped.rejected).toBe(3);
    expect(log.withCode('LOOKOUT_ES_DOCUMENT_REJECTED')).toHaveLength(1);
    await pipeline.close();
  });

  test('a template the cluster cannot take fails setup with an error naming the reason', async () => {
    const index = newIndex();
    const connection = new ElasticsearchConnection({ node: url, requestTimeout: 10_000, connectTimeout: 2_000 });
    try {
      // The CI Elasticsearch has no wildcard/match_only_text/constant_keyword types and no ILM.
      await expect(setUpIndex(connection, { target: index, variant: 'production', ilm: false })).rejects.toMatchObject({
        code: 'LOOKOUT_ES_TEMPLATE_REJECTED',
        message: expect.stringMatching(/rejected the index template: 400 .*The mapper type \[(wildcard|match_only_text|constant_keyword)\] declared on field \[[\w.]+\] does not exist/),
      });
      await expect(setUpIndex(connection, { target: index, variant: 'production', ilm: true })).rejects.toMatchObject({
        code: 'LOOKOUT_ES_ILM_UNAVAILABLE',
      });
      // The portable variant installs and bootstraps; a second run keeps both.
      expect(await setUpIndex(connection, { target: index, variant: 'portable', ilm: false })).toEqual({ template: 'installed', firstIndex: 'created' });
      expect(await setUpIndex(connection, { target: index, variant: 'portable', ilm: false })).toEqual({ template: 'kept', firstIndex: 'exists' });
    } finally {
      await connection.close();
    }
  });

  test('a rejected template at start is logged once, and events wait in the spool while the target is not a data stream', async () => {
    const index = newIndex();
    await es.request('PUT', `/${index}`, {}); // a plain index where the data stream should be
    const events = eventFactory();
    const { pipeline, log } = esPipeline(url, index, { elasticsearch: { template: 'production', ilm: false, backoff: { min: '100ms', max: '300ms' } } });
    await pipeline.start();
    for (let n = 0; n < 5; n++) pipeline.emit(events.event(n));
    await pipeline.flush();
    await sleep(1_500); // several retries, each running the setup again
    const setup = log.withCode('LOOKOUT_ES_TEMPLATE_REJECTED');
    expect(setup).toHaveLength(1);
    expect(setup[0]!.msg).toMatch(/index setup failed: Elasticsearch rejected the index template: 400 .*The mapper type \[\w+\] declared on field/);
    expect(pipeline.counters.failures.setup).toBeGreaterThanOrEqual(2);
    const missing = log.withCode('LOOKOUT_ES_TARGET_MISSING');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.msg).toMatch(/\[require_data_stream\] request flag is \[true\] and \[lookout-test-\w+\] is not a data stream/);
    expect(pipeline.counters).toMatchObject({ spooled: 5, delivered: 0 });
    await pipeline.close();
  });
});
