import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { spawnProxy, type SpawnedProxy } from '../../proxy/test/spawn-proxy.ts';
import type { SloNotification } from '../src/notify/notification.ts';
import { startSmtpServer, type TestSmtpServer } from './email-smtp-server.ts';
import { spawnSloEngine, type SpawnedSloEngine } from './spawn-slo-engine.ts';
import { startTraffic, type TrafficDriver } from './traffic-driver.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/*
 * The whole chain with real processes: traffic -> proxy (embedded telemetry file) -> slo-engine
 * (1 s tick, 3 s hold, 20 s window) -> a webhook receiver that verifies Standard Webhooks
 * signatures and a real SMTP server. Objective 0.9: 8.5 % failures is a level of 85 % (orange),
 * 15 % is 150 % (red), and no failures brings the level back under 60 % as the window slides.
 */
const SECRET = `whsec_${Buffer.from('end-to-end test secret, 32 bytes').toString('base64')}`;
const HOLD_MS = 3_000;

let dir: string;
let echo: SpawnedEchoUpstream;
let proxy: SpawnedProxy;
let receiver: WebhookReceiver;
let smtp: TestSmtpServer;
let engine: SpawnedSloEngine;
let traffic: TrafficDriver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-e2e-'));
  echo = await spawnEchoUpstream({ name: 'checkout-1' });
  proxy = await spawnProxy({
    listen: { host: '127.0.0.1', port: 0 },
    services: [{ name: 'checkout', hosts: ['checkout.test'], upstreams: [{ url: echo.url }] }],
    telemetry: { sink: 'embedded', embedded: { path: join(dir, 'telemetry.sqlite') } },
  });
  receiver = await startWebhookReceiver({ secrets: SECRET });
  smtp = await startSmtpServer();
  engine = await spawnSloEngine(
    {
      tick: '1s',
      events: { type: 'embedded', path: join(dir, 'telemetry.sqlite') },
      state: { type: 'sqlite', path: join(dir, 'engine.sqlite') },
      webhooks: [{ name: 'oncall', url: receiver.url, secretEnv: 'E2E_WEBHOOK_SECRET' }],
      email: { from: 'SLO engine <slo@lookout.test>', smtp: { host: '127.0.0.1', port: smtp.port } },
      delivery: { initialBackoff: '1s', maxBackoff: '2s' },
    },
    {
      slos: [
        {
          name: 'checkout-availability',
          service: 'checkout',
          indicator: { type: 'availability' },
          objective: 0.9,
          window: '20s',
          hold: '3s',
          owners: { sli: ['oncall', 'sli-owner@lookout.test'], slo: ['slo-owner@lookout.test'] },
        },
      ],
    },
    { dir, env: { E2E_WEBHOOK_SECRET: SECRET } },
  );
  traffic = startTraffic(proxy.url, 'checkout.test', { ratePerSecond: 40, errorShare: 0.085, maxRequests: 6_000 });
}, 90_000);

afterAll(async () => {
  await traffic?.stop();
  await engine?.stop();
  await proxy?.stop();
  await echo?.stop();
  await receiver?.close();
  await smtp?.close();
});

/** State notifications the receiver accepted, in arrival order, one per webhook-id. */
function stateNotifications(): SloNotification[] {
  const seen = new Set<string>();
  const notifications: SloNotification[] = [];
  for (const received of receiver.requests) {
    if (received.answered < 200 || received.answered >= 300 || seen.has(received.id)) continue;
    seen.add(received.id);
    const data = (JSON.parse(received.body) as { data: SloNotification }).data;
    if (data.type === 'slo.state.changed') notifications.push(data);
  }
  return notifications;
}

async function waitForState(to: string, timeoutMs: number): Promise<SloNotification> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = stateNotifications().find((notification) => notification.state.to === to);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const status = await fetch(`${engine.url}/api/slos`).then((response) => response.text());
  throw new Error(`no ${to} notification within ${timeoutMs} ms; engine says ${status}; last logs ${JSON.stringify(engine.logs.slice(-5))}`);
}

function mailsTo(tag: string): string[] {
  return smtp.mails
    .filter((mail) => (mail.headers.get('subject') ?? '').startsWith(`[${tag}]`))
    .flatMap((mail) => mail.rcptTo)
    .sort();
}

describe('slo-engine end to end (echo upstream -> proxy -> embedded store -> engine -> webhook and e-mail)', () => {
  it('notifies orange, then red, then recovery, signed, to the right people', async () => {
    const orangePhase = Date.now();
    const orange = await waitForState('ORANGE', 30_000);
    expect(Date.parse(orange.timestamp) - orangePhase).toBeGreaterThanOrEqual(HOLD_MS);
    expect(orange).toMatchObject({ state: { from: 'GREEN', to: 'ORANGE' }, audience: 'sli', slo: { name: 'checkout-availability', service: 'checkout', objective: 0.9, window: '20s' } });
    expect(orange.level).toBeGreaterThanOrEqual(0.8);
    expect(orange.level).toBeLessThan(1);
    expect(orange.links.slo).toBe(`${engine.url}/api/slos/checkout-availability`);

    traffic.setErrorShare(0.15);
    const red = await waitForState('RED', 30_000);
    expect(red).toMatchObject({ state: { from: 'ORANGE', to: 'RED' }, audience: 'slo+sli' });
    expect(red.level).toBeGreaterThanOrEqual(1);

    traffic.setErrorShare(0);
    const recovery = await waitForState('GREEN', 60_000);
    expect(recovery).toMatchObject({ state: { from: 'RED', to: 'GREEN' }, audience: 'slo+sli' });
    expect(recovery.level).toBeLessThanOrEqual(0.6);

    // Every webhook request carried a valid signature; each notification arrived once.
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((received) => received.verified)).toBe(true);
    expect(stateNotifications().map((n) => `${n.state.from}->${n.state.to}`)).toEqual(['GREEN->ORANGE', 'ORANGE->RED', 'RED->GREEN']);
    const accepted = receiver.requests.filter((received) => received.answered >= 200 && received.answered < 300);
    expect(new Set(accepted.map((received) => received.id)).size).toBe(accepted.length);

    // E-mail: orange to the SLI owner; red and its recovery to the SLO and SLI owners.
    const deadline = Date.now() + 10_000;
    while (mailsTo('GREEN').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mailsTo('ORANGE')).toEqual(['sli-owner@lookout.test']);
    expect(mailsTo('RED')).toEqual(['slo-owner@lookout.test', 'sli-owner@lookout.test'].sort());
    expect(mailsTo('GREEN')).toEqual(['slo-owner@lookout.test', 'sli-owner@lookout.test'].sort());

    // The API tells the same story.
    const history = (await fetch(`${engine.url}/api/slos/checkout-availability/history`).then((response) => response.json())) as { transitions: { kind: string; from: string; to: string }[] };
    const states = history.transitions.filter((t) => t.kind === 'state').map((t) => `${t.from}->${t.to}`).reverse();
    expect(states).toEqual(['GREEN->ORANGE', 'ORANGE->RED', 'RED->GREEN']);

    // The signing secret is never logged, nor served by the API.
    const secretPart = SECRET.slice('whsec_'.length, 'whsec_'.length + 16);
    expect(JSON.stringify(engine.logs) + engine.stderr()).not.toContain(secretPart);
    const deliveries = await fetch(`${engine.url}/api/deliveries?limit=1000`).then((response) => response.text());
    expect(deliveries).not.toContain(secretPart);
  }, 150_000);
});
