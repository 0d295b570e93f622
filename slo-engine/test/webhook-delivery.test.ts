import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerPayload } from '../src/notify/alertmanager-payload.ts';
import { DeliveryDispatcher } from '../src/notify/delivery-dispatcher.ts';
import type { SloNotification } from '../src/notify/notification.ts';
import { createDeliveries } from '../src/notify/recipients.ts';
import { retryPolicy } from '../src/notify/retry-policy.ts';
import { WebhookNotifier, type WebhookTarget } from '../src/notify/webhook-notifier.ts';
import type { Delivery } from '../src/persistence/engine-store.ts';
import { CapturingLogger } from './notify-capturing-logger.ts';
import { nthNotification, sampleNotification } from './notify-fixtures.ts';
import { MemoryEngineStore } from './notify-memory-engine-store.ts';
import { waitFor } from './notify-wait-for.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';
import { seededRandom } from './seeded-random.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const fastRetries = retryPolicy({ maxAttempts: 30, initialBackoffMs: 20, maxBackoffMs: 200, factor: 2, maxRetryAfterMs: 5_000 });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(options: Parameters<typeof startWebhookReceiver>[0]): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(options);
  cleanups.push(() => started.close());
  return started;
}

function webhook(name: string, url: string, overrides: Partial<WebhookTarget> = {}): WebhookTarget {
  return { name, url, secrets: [SECRET], format: 'standard', timeoutMs: 5_000, headers: {}, ...overrides };
}

function notifierFor(...webhooks: WebhookTarget[]): WebhookNotifier {
  const notifier = new WebhookNotifier({ webhooks });
  cleanups.push(() => notifier.close());
  return notifier;
}

function deliveriesTo(target: string, notifications: readonly SloNotification[], now = Date.now()): Delivery[] {
  const directory = { webhookNames: new Set([target]), emailConfigured: false };
  return notifications.flatMap((n) => createDeliveries(n, { sli: [target], slo: [] }, directory, now).deliveries);
}


describe('webhook delivery to a real HTTP receiver', () => {
  it('posts a signed Standard Webhooks payload whose webhook-id is the delivery id', async () => {
    const hooks = await receiver({ secrets: SECRET, behave: () => ({ status: 204 }) });
    const store = new MemoryEngineStore();
    const notification = sampleNotification();
    const [delivery] = deliveriesTo('oncall', [notification]);
    store.add(delivery as Delivery);
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifierFor(webhook('oncall', hooks.url, { headers: { 'X-Team': 'sre' } }))], holder: 'a', retry: fastRetries });

    expect(await dispatcher.runOnce()).toEqual({ due: 1, delivered: 1, retried: 0, dead: 0, skipped: 0 });

    expect(hooks.requests).toHaveLength(1);
    const [request] = hooks.requests;
    expect(request?.verified).toBe(true);
    expect(request?.id).toBe(delivery?.id);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-team']).toBe('sre');
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(request?.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(JSON.parse(request?.body ?? '')).toEqual({ type: 'slo.state.changed', timestamp: notification.timestamp, data: notification });
    expect(store.get(delivery?.id ?? '')).toMatchObject({ status: 'delivered', attempts: 1, lastError: null, deliveredAt: expect.any(Number) });
    expect(dispatcher.counters()).toMatchObject({ attempts: { webhook: 1, email: 0 }, delivered: { webhook: 1, email: 0 } });
  });

  it('posts the Alertmanager-compatible body to an alertmanager-format webhook, signed too', async () => {
    const hooks = await receiver({ secrets: SECRET });
    const notification = sampleNotification();
    const notifier = notifierFor(webhook('am', hooks.url, { format: 'alertmanager' }));
    expect(await notifier.deliver('am', 'msg_00000000000000000000000000000001', notification)).toEqual({ ok: true });
    expect(hooks.requests[0]?.verified).toBe(true);
    expect(JSON.parse(hooks.requests[0]?.body ?? '')).toEqual(JSON.parse(JSON.stringify(alertmanagerPayload(notification, 'am'))));
  });

  it('delivers every notification exactly once through a receiver failing half the time with 5xx and 429 + Retry-After', async () => {
    const random = seededRandom(42);
    const hooks = await receiver({
      secrets: SECRET,
      behave: () => {
        const r = random();
        if (r < 0.25) return { status: 503, body: 'overloaded' };
        if (r < 0.5) return { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' };
        return { status: 200, body: 'ok' };
      },
    });
    const store = new MemoryEngineStore();
    const notifications = Array.from({ length: 20 }, (_, i) => nthNotification(i + 1));
    const deliveries = deliveriesTo('flaky', notifications);
    store.add(...deliveries);
    const logger = new CapturingLogger();
    const dispatcher = new DeliveryDispatcher({
      store,
      notifiers: [notifierFor(webhook('flaky', hooks.url))],
      holder: 'a',
      retry: fastRetries,
      concurrency: 8,
      perTargetConcurrency: 8,
      pollIntervalMs: 200,
      logger,
    });
    dispatcher.start();
    cleanups.push(() => dispatcher.stop());
    await waitFor(() => store.all().every((d) => d.status === 'delivered'), 'every delivery to be delivered', 25_000);
    await dispatcher.stop();

    const byId = hooks.byId();
    expect([...byId.keys()].sort()).toEqual(deliveries.map((d) => d.id).sort());
    expect(hooks.requests.every((r) => r.verified)).toBe(true);
    // The receiver failed about half the requests, with both kinds of failure.
    const answered = hooks.requests.map((r) => r.answered);
    expect(answered.filter((s) => s === 503).length).toBeGreaterThan(2);
    expect(answered.filter((s) => s === 429).length).toBeGreaterThan(2);
    for (const [id, requests] of byId) {
      // None delivered twice: exactly one 2xx per delivery id, and it was the last request.
      expect(requests.filter((r) => r.answered === 200), id).toHaveLength(1);
      expect(requests.at(-1)?.answered).toBe(200);
      // Retry-After respected: after a 429 asking for 1 s, the next attempt came at least 1 s later.
      for (let i = 1; i < requests.length; i++) {
        const previous = requests[i - 1];
        const current = requests[i];
        if (previous?.answered === 429) expect((current?.receivedAt ?? 0) - (previous.answeredAt ?? 0)).toBeGreaterThanOrEqual(995);
      }
      expect(store.get(id)?.attempts).toBe(requests.length);
    }
    expect(store.finished.filter((f) => f.record.status === 'delivered')).toHaveLength(20);
    const counters = dispatcher.counters();
    expect(counters.delivered.webhook).toBe(20);
    expect(counters.attempts.webhook).toBe(hooks.requests.length);
    expect(counters.retried.webhook).toBe(hooks.requests.length - 20);
    const failures = logger.withCode('SLO_NOTIFY_WEBHOOK_FAILED');
    expect(failures).toHaveLength(hooks.requests.length - 20);
    expect(failures.find((f) => f.fields.retryAfterMs === 1_000)?.fields).toMatchObject({ channel: 'webhook', target: 'flaky', slo: 'api-availability', retryInMs: expect.any(Number) });
  }, 40_000);

  it('dead-letters a delivery after maxAttempts to an always-failing receiver, with the last error', async () => {
    const hooks = await receiver({ secrets: SECRET, behave: () => ({ status: 500, body: 'database is down' }) });
    const store = new MemoryEngineStore();
    const [delivery] = deliveriesTo('broken', [sampleNotification()]);
    store.add(delivery as Delivery);
    const logger = new CapturingLogger();
    const dispatcher = new DeliveryDispatcher({
      store,
      notifiers: [notifierFor(webhook('broken', hooks.url))],
      holder: 'a',
      retry: retryPolicy({ maxAttempts: 4, initialBackoffMs: 10, maxBackoffMs: 40 }),
      pollIntervalMs: 100,
      logger,
    });
    dispatcher.start();
    cleanups.push(() => dispatcher.stop());
    await waitFor(() => store.get(delivery?.id ?? '')?.status === 'dead', 'the delivery to be dead-lettered');
    await dispatcher.stop();

    expect(hooks.requests).toHaveLength(4);
    expect(new Set(hooks.requests.map((r) => r.id))).toEqual(new Set([delivery?.id]));
    const dead = store.get(delivery?.id ?? '');
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, deliveredAt: null });
    expect(dead?.lastError).toMatch(/^webhook "broken" \(http:\/\/127\.0\.0\.1:\d+\) answered HTTP 500: database is down$/);
    expect(await store.deliveries({ status: 'dead', limit: 10 })).toHaveLength(1);
    expect(dispatcher.counters().dead.webhook).toBe(1);
    const [deadLog] = logger.withCode('SLO_NOTIFY_DEAD_LETTER');
    expect(deadLog).toMatchObject({ level: 'error', fields: { delivery: delivery?.id, channel: 'webhook', target: 'broken', attempt: 4, reason: 'max-attempts' } });
    expect(logger.withCode('SLO_NOTIFY_WEBHOOK_FAILED')).toHaveLength(4);
  });

  it('dead-letters at once on a permanent 4xx and never follows a redirect', async () => {
    const rejecting = await receiver({ secrets: SECRET, behave: () => ({ status: 410, body: 'gone' }) });
    const redirecting = await receiver({ secrets: SECRET, behave: () => ({ status: 302, headers: { location: 'http://other.example.com/x?token=1' } }) });
    const notifier = notifierFor(webhook('gone', rejecting.url), webhook('moved', redirecting.url));
    expect(await notifier.deliver('gone', 'msg_1', sampleNotification())).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('answered HTTP 410: gone') });
    const moved = await notifier.deliver('moved', 'msg_1', sampleNotification());
    expect(moved).toMatchObject({ ok: false, permanent: true });
    expect(!moved.ok && moved.error).toContain('redirect to http://other.example.com: update the webhook URL');
    expect(redirecting.requests).toHaveLength(1);
  });

  it('classifies 408, 429 and 5xx as retryable with the Retry-After of the answer', async () => {
    const statuses = [408, 429, 502, 503, 504];
    const hooks = await receiver({ behave: (request) => ({ status: Number(request.path.split('/').at(-1)), headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } }) });
    const base = hooks.url.replace(/\/hooks\/slo$/, '');
    const notifier = notifierFor(...statuses.map((status) => webhook(String(status), `${base}/${status}`)));
    for (const status of statuses) {
      const outcome = await notifier.deliver(String(status), 'msg_1', sampleNotification());
      expect(outcome, String(status)).toMatchObject({ ok: false, permanent: false });
      const retryAfterMs = outcome.ok ? 0 : (outcome.retryAfterMs ?? 0);
      expect(retryAfterMs).toBeGreaterThan(28_000);
      expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    }
  });

  it('reports a refused connection and a timeout as retryable, naming the webhook and origin only', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const hanging = await receiver({ behave: () => ({ status: 200, hang: true }) });
    const notifier = notifierFor(webhook('down', `http://127.0.0.1:${port}/secret-path-token`), webhook('slow', hanging.url, { timeoutMs: 300 }));

    const refused = await notifier.deliver('down', 'msg_1', sampleNotification());
    expect(refused).toEqual({ ok: false, permanent: false, error: `webhook "down" (http://127.0.0.1:${port}) could not be reached: connection refused (ECONNREFUSED)` });

    const started = performance.now();
    const timedOut = await notifier.deliver('slow', 'msg_1', sampleNotification());
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(timedOut).toMatchObject({ ok: false, permanent: false, error: expect.stringContaining('gave no complete answer within 300 ms') });
  });

  it('keeps delivering to healthy receivers while one hangs until its timeout', async () => {
    const hanging = await receiver({ behave: () => ({ status: 200, hang: true }) });
    const healthy = await receiver({ secrets: SECRET });
    const store = new MemoryEngineStore();
    const notifications = Array.from({ length: 6 }, (_, i) => nthNotification(100 + i));
    const now = Date.now();
    // The hanging receiver's deliveries are older, so they come first in the outbox.
    store.add(...deliveriesTo('stuck', notifications, now - 1_000), ...deliveriesTo('healthy', notifications, now));
    const dispatcher = new DeliveryDispatcher({
      store,
      notifiers: [notifierFor(webhook('stuck', hanging.url, { timeoutMs: 3_000 }), webhook('healthy', healthy.url))],
      holder: 'a',
      retry: fastRetries,
      concurrency: 4,
      perTargetConcurrency: 2,
      pollIntervalMs: 100,
    });
    const started = Date.now();
    dispatcher.start();
    cleanups.push(() => dispatcher.stop());
    await waitFor(() => store.all().filter((d) => d.target === 'healthy' && d.status === 'delivered').length === 6, 'the healthy deliveries');
    const healthyDone = Date.now() - started;
    expect(healthyDone).toBeLessThan(2_500);
    expect(hanging.requests.length).toBeLessThanOrEqual(2);
    expect(store.all().filter((d) => d.target === 'stuck').every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    await dispatcher.stop();
  });

  it('sends each delivery once when two replicas dispatch the same outbox', async () => {
    const hooks = await receiver({ secrets: SECRET, behave: () => ({ status: 200, delayMs: 20 }) });
    const store = new MemoryEngineStore();
    store.add(...deliveriesTo('oncall', Array.from({ length: 30 }, (_, i) => nthNotification(200 + i))));
    const replicas = ['a', 'b'].map(
      (holder) => new DeliveryDispatcher({ store, notifiers: [notifierFor(webhook('oncall', hooks.url))], holder, retry: fastRetries, perTargetConcurrency: 4, pollIntervalMs: 50 }),
    );
    for (const replica of replicas) {
      replica.start();
      cleanups.push(() => replica.stop());
    }
    await waitFor(() => store.all().every((d) => d.status === 'delivered'), 'every delivery');
    await Promise.all(replicas.map((r) => r.stop()));
    expect(hooks.requests).toHaveLength(30);
    expect(new Set(hooks.requests.map((r) => r.id)).size).toBe(30);
    const [a, b] = replicas.map((r) => r.counters().delivered.webhook);
    expect((a ?? 0) + (b ?? 0)).toBe(30);
  });
});
