import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { spawnProxy, type SpawnedProxy } from '../../proxy/test/spawn-proxy.ts';
import type { SloView } from '../src/engine/slo-view.ts';
import type { SloNotification } from '../src/notify/notification.ts';
import { spawnSloEngine, type SpawnedSloEngine } from './spawn-slo-engine.ts';
import { startTraffic, type TrafficDriver } from './traffic-driver.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/*
 * Persistence and HA with real processes: an engine killed (SIGKILL) mid-hold and restarted
 * resumes the hold from its persisted start; two engines on one state file send each
 * notification once, and the standby takes over when the leader dies.
 */
const SECRET = `whsec_${Buffer.from('restart and replicas test secret').toString('base64')}`;

let dir: string;
let echo: SpawnedEchoUpstream;
let proxy: SpawnedProxy;
let receiver: WebhookReceiver;
let traffic: TrafficDriver | undefined;
const engines: SpawnedSloEngine[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-engine-ha-'));
  echo = await spawnEchoUpstream({ name: 'payments-1' });
  proxy = await spawnProxy({
    listen: { host: '127.0.0.1', port: 0 },
    services: [{ name: 'payments', hosts: ['payments.test'], upstreams: [{ url: echo.url }] }],
    telemetry: { sink: 'embedded', embedded: { path: join(dir, 'telemetry.sqlite') } },
  });
  receiver = await startWebhookReceiver({ secrets: SECRET });
}, 60_000);

afterEach(async () => {
  await traffic?.stop();
  traffic = undefined;
  for (const engine of engines.splice(0)) await engine.kill();
});

afterAll(async () => {
  await proxy?.stop();
  await echo?.stop();
  await receiver?.close();
});

function engineConfig(stateFile: string, instance: string) {
  return {
    instance,
    tick: '1s',
    lease: { ttl: '3s' },
    events: { type: 'embedded', path: join(dir, 'telemetry.sqlite') },
    state: { type: 'sqlite', path: stateFile },
    webhooks: [{ name: 'oncall', url: receiver.url, secretEnv: 'HA_WEBHOOK_SECRET' }],
    delivery: { initialBackoff: '1s', maxBackoff: '2s' },
  };
}

function spec(name: string, hold: string) {
  return { slos: [{ name, service: 'payments', indicator: { type: 'availability' }, objective: 0.9, window: '20s', hold, owners: { sli: ['oncall'], slo: ['oncall'] } }] };
}

async function start(stateFile: string, instance: string, name: string, hold: string, engineDir: string): Promise<SpawnedSloEngine> {
  const engine = await spawnSloEngine(engineConfig(stateFile, instance), spec(name, hold), { dir: engineDir, env: { HA_WEBHOOK_SECRET: SECRET } });
  engines.push(engine);
  return engine;
}

/** State notifications for `slo` the receiver accepted, one per webhook-id, in arrival order. */
function stateNotifications(slo: string): SloNotification[] {
  const seen = new Set<string>();
  const out: SloNotification[] = [];
  for (const received of receiver.requests) {
    if (received.answered < 200 || received.answered >= 300 || seen.has(received.id)) continue;
    seen.add(received.id);
    const data = (JSON.parse(received.body) as { data: SloNotification }).data;
    if (data.type === 'slo.state.changed' && data.slo.name === slo) out.push(data);
  }
  return out;
}

/** Every webhook-id for `slo` accepted more than once (must stay empty). */
function duplicates(slo: string): string[] {
  const counts = new Map<string, number>();
  for (const received of receiver.requests) {
    if (received.answered < 200 || received.answered >= 300 || !received.body.includes(`"name":"${slo}"`)) continue;
    counts.set(received.id, (counts.get(received.id) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count > 1).map(([id]) => id);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms`);
}

async function view(engine: SpawnedSloEngine, name: string): Promise<SloView | undefined> {
  try {
    return (await fetch(`${engine.url}/api/slos/${name}`).then((response) => response.json())) as SloView;
  } catch {
    return undefined;
  }
}

describe('slo-engine persistence and replicas', () => {
  it('resumes a hold from its persisted start after being killed mid-hold, and notifies once', async () => {
    const name = 'payments-restart';
    const engineDir = mkdtempSync(join(dir, 'restart-'));
    const stateFile = join(engineDir, 'engine.sqlite');
    // Killed halfway into a 12 s hold: resumed from the persisted start, ORANGE comes ~6 s after
    // the restart; a hold started afresh would need 12 s. The 6 s between the two leave room for
    // a slow restart on a busy machine.
    const holdMs = 12_000;
    traffic = startTraffic(proxy.url, 'payments.test', { ratePerSecond: 40, errorShare: 0.085, maxRequests: 4_000 });
    const first = await start(stateFile, 'engine-a', name, '12s', engineDir);
    const holdStart = await until('the orange hold starting', async () => (await view(first, name))?.holds.aboveOrangeSince ?? undefined, 20_000);

    await until('6 s into the hold', () => (Date.now() - holdStart >= 6_000 ? true : undefined), 10_000);
    expect((await view(first, name))?.status).toBe('GREEN');
    await first.kill();
    const restartedAt = Date.now();
    const second = await start(stateFile, 'engine-a', name, '12s', engineDir);

    const orange = await until('the orange notification', () => stateNotifications(name).find((n) => n.state.to === 'ORANGE'), 30_000);
    const heldFor = Date.parse(orange.timestamp) - holdStart;
    // From the persisted start: at the hold, within a tick plus the restart's own time; a hold
    // started afresh at the restart could not end before restartedAt + 12 s.
    expect(heldFor).toBeGreaterThanOrEqual(holdMs);
    expect(Date.parse(orange.timestamp)).toBeLessThan(restartedAt + holdMs);
    expect((await view(second, name))?.status).toBe('ORANGE');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stateNotifications(name).map((n) => `${n.state.from}->${n.state.to}`)).toEqual(['GREEN->ORANGE']);
    expect(duplicates(name)).toEqual([]);
  }, 90_000);

  it('two engines on one state file send each notification once; the standby takes over when the leader dies', async () => {
    const name = 'payments-replicas';
    const engineDir = mkdtempSync(join(dir, 'replicas-'));
    const stateFile = join(engineDir, 'engine.sqlite');
    traffic = startTraffic(proxy.url, 'payments.test', { ratePerSecond: 40, errorShare: 0.085, maxRequests: 6_000 });
    const a = await start(stateFile, 'engine-a', name, '2s', mkdtempSync(join(engineDir, 'a-')));
    const b = await start(stateFile, 'engine-b', name, '2s', mkdtempSync(join(engineDir, 'b-')));

    await until('orange', () => stateNotifications(name).find((n) => n.state.to === 'ORANGE'), 30_000);
    traffic.setErrorShare(0.15);
    await until('red', () => stateNotifications(name).find((n) => n.state.to === 'RED'), 30_000);

    const health = async (engine: SpawnedSloEngine) => (await fetch(`${engine.url}/health`).then((response) => response.json())) as { leader: boolean };
    const [healthA, healthB] = [await health(a), await health(b)];
    expect([healthA.leader, healthB.leader].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = healthA.leader ? [a, b] : [b, a];
    await leader.kill();
    await until('the standby taking the lease', async () => ((await health(standby)).leader ? true : undefined), 15_000);

    traffic.setErrorShare(0);
    await until('recovery', () => stateNotifications(name).find((n) => n.state.to === 'GREEN'), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(stateNotifications(name).map((n) => `${n.state.from}->${n.state.to}`)).toEqual(['GREEN->ORANGE', 'ORANGE->RED', 'RED->GREEN']);
    expect(duplicates(name)).toEqual([]);
  }, 150_000);
});
