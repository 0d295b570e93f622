import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '../../echo-upstream/src/spawn-echo-upstream.ts';
import { FaultRelay } from '../src/stack/fault-relay.ts';

/** What a client sees of one GET through the relay (a fresh connection each time). */
interface Seen {
  readonly status: number;
  readonly bodyBytes: number;
  readonly complete: boolean;
  readonly error: string;
  readonly ms: number;
}

function get(url: string): Promise<Seen> {
  const started = performance.now();
  return new Promise((resolve) => {
    let responded = false;
    const req = request(`${url}/probe`, { agent: false }, (res) => {
      responded = true;
      let bodyBytes = 0;
      let complete = false;
      res.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
      res.on('end', () => (complete = true));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode ?? 0, bodyBytes, complete, error: '', ms: performance.now() - started }));
    });
    // Once headers arrived, the response's close reports the outcome (the socket error also lands here).
    req.on('error', (error: NodeJS.ErrnoException) => !responded && resolve({ status: 0, bodyBytes: 0, complete: false, error: error.code ?? error.message, ms: performance.now() - started }));
    req.end();
  });
}

describe('fault relay in front of a real echo member', () => {
  let echo: SpawnedEchoUpstream;
  let relay: FaultRelay;

  beforeAll(async () => {
    echo = await spawnEchoUpstream({ name: 'relayed' });
    relay = await FaultRelay.start(echo.url);
  });

  afterAll(async () => {
    await relay?.close();
    await echo?.stop();
  });

  it('passes responses through unchanged while no fault is set', async () => {
    const seen = await get(relay.url);
    expect(seen).toMatchObject({ status: 200, complete: true, error: '' });
    expect(seen.bodyBytes).toBeGreaterThan(100);
  });

  it('delays the response by the set time', async () => {
    relay.setFault({ kind: 'delay', ms: 400 });
    const seen = await get(relay.url);
    relay.setFault({ kind: 'none' });
    expect(seen).toMatchObject({ status: 200, complete: true });
    expect(seen.ms).toBeGreaterThanOrEqual(390);
  });

  it('cuts the response after its headers and the set number of body bytes', async () => {
    relay.setFault({ kind: 'reset-mid-body', bytes: 16 });
    const seen = await get(relay.url);
    relay.setFault({ kind: 'none' });
    expect(seen).toMatchObject({ status: 200, complete: false, bodyBytes: 16 });
  });

  it('resets the connection when a request arrives, before any response byte', async () => {
    relay.setFault({ kind: 'reset' });
    const seen = await get(relay.url);
    relay.setFault({ kind: 'none' });
    expect(seen).toMatchObject({ status: 0, error: 'ECONNRESET' });
    expect((await get(relay.url)).complete).toBe(true);
  });
});
