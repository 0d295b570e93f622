import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger } from '../../test/notify-capturing-logger.ts';
import { nthNotification, sampleNotification } from '../../test/notify-fixtures.ts';
import { MemoryEngineStore } from '../../test/notify-memory-engine-store.ts';
import { waitFor } from '../../test/notify-wait-for.ts';
import type { Delivery } from '../persistence/engine-store.ts';
import { DeliveryDispatcher } from './delivery-dispatcher.ts';
import type { DeliveryChannel, DeliveryOutcome, Notifier, SloNotification } from './notification.ts';
import { createDeliveries } from './recipients.ts';
import { retryPolicy } from './retry-policy.ts';

/** A notifier answering from a script, recording calls (unit-test double). */
class ScriptedNotifier implements Notifier {
  readonly calls: { target: string; deliveryId: string; attempt: number; at: number }[] = [];
  readonly channel: DeliveryChannel;
  readonly #answer: (target: string, attempt: number) => DeliveryOutcome | Promise<DeliveryOutcome>;
  constructor(channel: DeliveryChannel, answer: (target: string, attempt: number) => DeliveryOutcome | Promise<DeliveryOutcome>) {
    this.channel = channel;
    this.#answer = answer;
  }
  async deliver(target: string, deliveryId: string, _notification: SloNotification, attempt: number): Promise<DeliveryOutcome> {
    this.calls.push({ target, deliveryId, attempt, at: performance.now() });
    return this.#answer(target, attempt);
  }
}

const directory = { webhookNames: new Set(['hook']), emailConfigured: true };
function deliveries(n: number, sli: string[] = ['hook'], now = 0): Delivery[] {
  return Array.from({ length: n }, (_, i) => createDeliveries(nthNotification(i + 1), { sli, slo: [] }, directory, now).deliveries).flat();
}

const stops: DeliveryDispatcher[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((d) => d.stop()));
});

describe('DeliveryDispatcher', () => {
  it('passes the attempt number and stable delivery id to the notifier and records the outcome', async () => {
    const store = new MemoryEngineStore();
    const [delivery] = deliveries(1);
    store.add(delivery as Delivery);
    const notifier = new ScriptedNotifier('webhook', (_t, attempt) => (attempt === 1 ? { ok: false, permanent: false, error: 'HTTP 503' } : { ok: true }));
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a', retry: retryPolicy({ initialBackoffMs: 1_000 }), random: () => 0.5, clock: () => 10_000 });

    expect(await dispatcher.runOnce(10_000)).toEqual({ due: 1, delivered: 0, retried: 1, dead: 0, skipped: 0 });
    expect(store.get(delivery?.id ?? '')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: 10_500, lastError: 'HTTP 503' });
    expect(await dispatcher.runOnce(10_499)).toMatchObject({ due: 0 });
    expect(await dispatcher.runOnce(10_500)).toMatchObject({ due: 1, delivered: 1 });
    expect(notifier.calls.map((c) => [c.deliveryId, c.attempt])).toEqual([
      [delivery?.id, 1],
      [delivery?.id, 2],
    ]);
    expect(store.get(delivery?.id ?? '')).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: 10_000, lastError: null });
  });

  it('dead-letters a delivery whose channel has no notifier', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(1, ['someone@example.com']));
    const logger = new CapturingLogger();
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [new ScriptedNotifier('webhook', () => ({ ok: true }))], holder: 'a', logger });
    expect(await dispatcher.runOnce(0)).toMatchObject({ dead: 1 });
    expect(store.all()[0]).toMatchObject({ status: 'dead', lastError: 'no email notifier is configured' });
    expect(logger.withCode('SLO_NOTIFY_DEAD_LETTER')[0]?.fields).toMatchObject({ reason: 'permanent', channel: 'email', target: 'someone@example.com' });
    expect(dispatcher.counters().dead).toEqual({ webhook: 0, email: 1 });
  });

  it('treats a notifier that throws as a retryable failure', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(1));
    const dispatcher = new DeliveryDispatcher({
      store,
      notifiers: [
        new ScriptedNotifier('webhook', () => {
          throw new Error('bug');
        }),
      ],
      holder: 'a',
    });
    expect(await dispatcher.runOnce(0)).toMatchObject({ retried: 1 });
    expect(store.all()[0]?.lastError).toBe('webhook notifier failed: bug');
  });

  it('skips a delivery another replica has claimed', async () => {
    const store = new MemoryEngineStore();
    const [delivery] = deliveries(1);
    store.add(delivery as Delivery);
    expect(await store.claimDelivery(delivery?.id ?? '', 'other', 0, 60_000)).toBe(true);
    const notifier = new ScriptedNotifier('webhook', () => ({ ok: true }));
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a' });
    expect(await dispatcher.runOnce(1_000)).toMatchObject({ due: 1, skipped: 1, delivered: 0 });
    expect(notifier.calls).toHaveLength(0);
    expect(dispatcher.counters().claimConflicts.webhook).toBe(1);
  });

  it('never runs more attempts at once than the overall and per-target bounds', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(10, ['hook']), ...deliveries(10, ['a@example.com']).map((d) => ({ ...d, id: `${d.id}e` })));
    let inFlight = 0;
    let maxInFlight = 0;
    const perTarget = new Map<string, number>();
    let maxPerTarget = 0;
    const answer = async (target: string): Promise<DeliveryOutcome> => {
      inFlight++;
      perTarget.set(target, (perTarget.get(target) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, inFlight);
      maxPerTarget = Math.max(maxPerTarget, perTarget.get(target) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight--;
      perTarget.set(target, (perTarget.get(target) ?? 0) - 1);
      return { ok: true };
    };
    const dispatcher = new DeliveryDispatcher({
      store,
      notifiers: [new ScriptedNotifier('webhook', answer), new ScriptedNotifier('email', answer)],
      holder: 'a',
      concurrency: 3,
      perTargetConcurrency: 2,
    });
    expect(await dispatcher.runOnce(0)).toMatchObject({ due: 20, delivered: 20 });
    expect(maxInFlight).toBe(3);
    expect(maxPerTarget).toBe(2);
  });

  it('wakes at the earliest scheduled retry rather than the poll interval', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(1, ['hook'], Date.now()));
    const notifier = new ScriptedNotifier('webhook', (_t, attempt) => (attempt === 1 ? { ok: false, permanent: false, retryAfterMs: 300, error: 'HTTP 429' } : { ok: true }));
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a', retry: retryPolicy({ initialBackoffMs: 0 }), pollIntervalMs: 10_000 });
    stops.push(dispatcher);
    dispatcher.start();
    await waitFor(() => store.all()[0]?.status === 'delivered', 'the retry', 5_000);
    const [first, second] = notifier.calls;
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(295);
    expect(gap).toBeLessThan(2_000);
  });

  it('sends a delivery committed while it sleeps as soon as it is woken', async () => {
    const store = new MemoryEngineStore();
    const notifier = new ScriptedNotifier('webhook', () => ({ ok: true }));
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a', pollIntervalMs: 10_000 });
    stops.push(dispatcher);
    dispatcher.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    store.add(...deliveries(1, ['hook'], Date.now()));
    const woken = performance.now();
    dispatcher.wake();
    await waitFor(() => store.all()[0]?.status === 'delivered', 'the delivery', 5_000);
    expect(performance.now() - woken).toBeLessThan(1_000);
  });

  it('survives an outbox that cannot be read or written, logging SLO_STATE_STORE_FAILED, and catches up', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(2, ['hook'], Date.now()));
    store.failNext = { dueDeliveries: 1, finishAttempt: 1 };
    const logger = new CapturingLogger();
    const notifier = new ScriptedNotifier('webhook', () => ({ ok: true }));
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a', logger, pollIntervalMs: 100, claimMs: 200 });
    stops.push(dispatcher);
    dispatcher.start();
    await waitFor(() => store.all().every((d) => d.status === 'delivered'), 'both deliveries', 5_000);
    const storeErrors = logger.withCode('SLO_STATE_STORE_FAILED').map((line) => line.fields.operation);
    expect(storeErrors).toEqual(['dueDeliveries', 'finishAttempt']);
    // The delivery whose result could not be written was sent again once its claim expired (at least once).
    expect(notifier.calls).toHaveLength(3);
  });

  it('stop() waits for the attempts in flight', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(1, ['hook'], Date.now()));
    let finish: (outcome: DeliveryOutcome) => void = () => {};
    const notifier = new ScriptedNotifier('webhook', () => new Promise<DeliveryOutcome>((resolve) => (finish = resolve)));
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a' });
    dispatcher.start();
    await waitFor(() => notifier.calls.length === 1, 'the attempt to start');
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    expect(dispatcher.inFlight).toBe(1);
    finish({ ok: true });
    await stopping;
    expect(store.all()[0]?.status).toBe('delivered');
  });

  it('logs each failed attempt with structured fields', async () => {
    const store = new MemoryEngineStore();
    store.add(...deliveries(1));
    const logger = new CapturingLogger();
    const dispatcher = new DeliveryDispatcher({
      store,
      notifiers: [new ScriptedNotifier('webhook', () => ({ ok: false, permanent: false, retryAfterMs: 2_000, error: 'HTTP 429' }))],
      holder: 'a',
      logger,
      random: () => 0,
      clock: () => 0,
    });
    await dispatcher.runOnce(0);
    expect(logger.withCode('SLO_NOTIFY_WEBHOOK_FAILED')[0]).toEqual({
      level: 'warn',
      msg: 'notification attempt 1 of 8 failed; retrying',
      fields: {
        code: 'SLO_NOTIFY_WEBHOOK_FAILED',
        delivery: store.all()[0]?.id,
        notification: sampleNotification({ id: nthNotification(1).id }).id,
        slo: 'api-availability',
        type: 'slo.state.changed',
        channel: 'webhook',
        target: 'hook',
        attempt: 1,
        error: 'HTTP 429',
        permanent: false,
        retryAfterMs: 2_000,
        retryInMs: 2_000,
        nextAttemptAt: '1970-01-01T00:00:02.000Z',
      },
    });
  });
});
