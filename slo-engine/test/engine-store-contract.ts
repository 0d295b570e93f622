import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../src/engine-error.ts';
import type { Delivery, EngineStore } from '../src/persistence/engine-store.ts';
import { T0, testDelivery, testPersisted, testTransition } from './engine-store-fixtures.ts';

/** Fresh, empty storage for one test; `open` returns a new store over that same storage each call. */
export interface EngineStoreStorage {
  open(): EngineStore;
  /** Deletes the storage (stores opened on it are closed first). */
  remove(): Promise<void>;
}

const TTL = 10_000;
const nothing = { transitions: [], deliveries: [] } as const;

/**
 * The behaviour every {@link EngineStore} must have, run against each backend by its own test
 * file: the same assertions for the SQLite state file and for Elasticsearch.
 */
export function describeEngineStoreContract(backend: string, createStorage: () => Promise<EngineStoreStorage>): void {
  describe(`EngineStore contract: ${backend}`, () => {
    const opened: EngineStore[] = [];
    let storage: EngineStoreStorage | undefined;

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
      await storage?.remove();
      storage = undefined;
    });

    /** A store over fresh storage, and a way to open more over the same one. */
    async function fresh(): Promise<{ store: EngineStore; another: () => EngineStore }> {
      storage = await createStorage();
      const own = storage;
      const another = (): EngineStore => {
        const store = own.open();
        opened.push(store);
        return store;
      };
      return { store: another(), another };
    }

    async function leader(store: EngineStore, holder = 'engine-a', now = T0): Promise<void> {
      expect(await store.acquireLease(holder, now, TTL)).toBe(true);
    }

    it('round-trips every field of an SLO state, hold timers and burn alert included, and replaces it on the next commit', async () => {
      const { store } = await fresh();
      await leader(store);
      const orange = testPersisted('checkout-availability');
      const idle = testPersisted('search-latency', T0, {
        state: { status: 'NODATA', since: T0 - 5, lastKnown: 'RED', aboveOrangeSince: null, aboveRedSince: null, belowGreenSince: null, level: null },
        burnAlert: { tier: null, since: null },
      });
      await store.commit('engine-a', T0, { state: orange, ...nothing });
      await store.commit('engine-a', T0, { state: idle, ...nothing });
      expect(await store.loadStates()).toEqual([orange, idle]);

      const green = testPersisted('checkout-availability', T0 + 30_000, {
        fingerprint: 'fp-changed',
        state: { status: 'GREEN', since: T0 + 30_000, lastKnown: 'GREEN', aboveOrangeSince: null, aboveRedSince: null, belowGreenSince: T0 - 1, level: 0.125 },
      });
      await leader(store, 'engine-a', T0 + 30_000);
      await store.commit('engine-a', T0 + 30_000, { state: green, ...nothing });
      expect(await store.loadStates()).toEqual([green, idle]);
    });

    it('refuses the commit of a replica that does not hold the lease, writing nothing', async () => {
      const { store } = await fresh();
      const update = { state: testPersisted('checkout-availability'), transitions: [testTransition('msg_1', 'checkout-availability', T0)], deliveries: [testDelivery('d1')] };

      const noLease = await store.commit('engine-b', T0, update).catch((error: unknown) => error);
      expect(noLease).toBeInstanceOf(EngineError);
      expect((noLease as EngineError).code).toBe('SLO_LEASE_LOST');

      await leader(store, 'engine-a');
      const otherHolds = await store.commit('engine-b', T0 + 1, update).catch((error: unknown) => error);
      expect((otherHolds as EngineError).code).toBe('SLO_LEASE_LOST');
      expect((otherHolds as EngineError).message).toContain('engine-a');

      const expired = await store.commit('engine-a', T0 + TTL, update).catch((error: unknown) => error);
      expect((expired as EngineError).code).toBe('SLO_LEASE_LOST');

      expect(await store.loadStates()).toEqual([]);
      expect(await store.transitions({ limit: 10 })).toEqual([]);
      expect(await store.deliveries({ limit: 10 })).toEqual([]);
      expect(await store.dueDeliveries(T0 + TTL, 10)).toEqual([]);
    });

    it('takes, renews, expires, hands over and releases the lease', async () => {
      const { store, another } = await fresh();
      const other = another();
      expect(await store.leaseHolder(T0)).toBeUndefined();
      expect(await store.acquireLease('engine-a', T0, TTL)).toBe(true);
      expect(await other.leaseHolder(T0 + 1)).toEqual({ holder: 'engine-a', expiresAt: T0 + TTL });
      expect(await other.acquireLease('engine-b', T0 + 1, TTL)).toBe(false);

      // Renewal moves the expiry; the other replica still cannot take it before then.
      expect(await store.acquireLease('engine-a', T0 + 5_000, TTL)).toBe(true);
      expect(await other.leaseHolder(T0 + TTL)).toEqual({ holder: 'engine-a', expiresAt: T0 + 5_000 + TTL });
      expect(await other.acquireLease('engine-b', T0 + 5_000 + TTL - 1, TTL)).toBe(false);

      // Expired (expiry <= now): the other takes over, and the former holder can no longer renew.
      expect(await store.leaseHolder(T0 + 5_000 + TTL)).toBeUndefined();
      expect(await other.acquireLease('engine-b', T0 + 5_000 + TTL, TTL)).toBe(true);
      expect(await store.acquireLease('engine-a', T0 + 5_001 + TTL, TTL)).toBe(false);
      expect(await store.leaseHolder(T0 + 5_001 + TTL)).toEqual({ holder: 'engine-b', expiresAt: T0 + 5_000 + 2 * TTL });

      // Releasing by a non-holder does nothing; the holder's release frees it at once.
      await store.releaseLease('engine-a');
      expect((await store.leaseHolder(T0 + 5_002 + TTL))?.holder).toBe('engine-b');
      await other.releaseLease('engine-b');
      expect(await store.leaseHolder(T0 + 5_002 + TTL)).toBeUndefined();
      expect(await store.acquireLease('engine-a', T0 + 5_003 + TTL, TTL)).toBe(true);
    });

    it('gives the lease to exactly one of two replicas racing for it', async () => {
      const { store, another } = await fresh();
      const other = another();
      for (let round = 0; round < 5; round++) {
        const now = T0 + round * TTL;
        const won = await Promise.all([store.acquireLease('engine-a', now, TTL - 1), other.acquireLease('engine-b', now, TTL - 1)]);
        expect(won.filter(Boolean)).toHaveLength(1);
      }
    });

    it('ignores transitions and deliveries committed again with the same ids, from any replica', async () => {
      const { store, another } = await fresh();
      await leader(store);
      const transitions = [testTransition('msg_a', 'checkout-availability', T0), testTransition('msg_b', 'checkout-availability', T0 + 1)];
      const deliveries = [testDelivery('d1'), testDelivery('d2', { channel: 'email', target: 'sre@example.com', createdAt: T0 + 1 })];
      const state = testPersisted('checkout-availability');
      await store.commit('engine-a', T0, { state, transitions, deliveries });

      expect(await store.claimDelivery('d1', 'engine-a', T0, T0 + 60_000)).toBe(true);
      await store.finishAttempt('d1', { status: 'delivered', attempts: 1, nextAttemptAt: T0, lastError: null, deliveredAt: T0 + 10 });

      // A restarted engine (or a successor) derives the same transition and commits it again.
      const successor = another();
      await store.releaseLease('engine-a');
      await leader(successor, 'engine-b', T0 + 20);
      await successor.commit('engine-b', T0 + 20, { state, transitions, deliveries });
      await successor.commit('engine-b', T0 + 21, { state, transitions, deliveries });

      expect((await successor.transitions({ limit: 10 })).map((t) => t.id)).toEqual(['msg_b', 'msg_a']);
      const all = await successor.deliveries({ limit: 10 });
      expect(all.map((d) => d.id)).toEqual(['d2', 'd1']);
      expect(all.find((d) => d.id === 'd1')).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: T0 + 10 });
      expect((await successor.dueDeliveries(T0 + 100, 10)).map((d) => d.id)).toEqual(['d2']);
      expect(await successor.loadStates()).toHaveLength(1);
    });

    it('lists due pending deliveries oldest first, leaving out those not yet due or no longer pending', async () => {
      const { store } = await fresh();
      await leader(store);
      const deliveries = [
        testDelivery('late', { createdAt: T0 + 3, nextAttemptAt: T0 + 3 }),
        testDelivery('first', { createdAt: T0, nextAttemptAt: T0 }),
        testDelivery('retry-later', { createdAt: T0 + 1, nextAttemptAt: T0 + 60_000, attempts: 1, lastError: '503 Service Unavailable' }),
        testDelivery('tie-b', { createdAt: T0 + 2 }),
        testDelivery('tie-a', { createdAt: T0 + 2 }),
        testDelivery('done', { createdAt: T0 - 5, status: 'delivered', deliveredAt: T0 - 4 }),
        testDelivery('gone', { createdAt: T0 - 6, status: 'dead', attempts: 8 }),
      ];
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries });

      expect((await store.dueDeliveries(T0 + 3, 10)).map((d) => d.id)).toEqual(['first', 'tie-a', 'tie-b', 'late']);
      expect((await store.dueDeliveries(T0 + 2, 10)).map((d) => d.id)).toEqual(['first', 'tie-a', 'tie-b']);
      expect((await store.dueDeliveries(T0 + 3, 2)).map((d) => d.id)).toEqual(['first', 'tie-a']);
      expect((await store.dueDeliveries(T0 - 1, 10)).map((d) => d.id)).toEqual([]);
      expect((await store.dueDeliveries(T0 + 60_000, 10)).map((d) => d.id)).toEqual(['first', 'retry-later', 'tie-a', 'tie-b', 'late']);
      expect((await store.dueDeliveries(T0, 10))[0]).toEqual(deliveries[1]);
    });

    it('lets exactly one replica claim a delivery, until the claim expires', async () => {
      const { store, another } = await fresh();
      const other = another();
      await leader(store);
      const ids = Array.from({ length: 20 }, (_, i) => `d${String(i).padStart(2, '0')}`);
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries: ids.map((id) => testDelivery(id)) });

      const results = await Promise.all(ids.map((id) => Promise.all([store.claimDelivery(id, 'engine-a', T0, T0 + 30_000), other.claimDelivery(id, 'engine-b', T0, T0 + 30_000)])));
      for (const pair of results) expect(pair.filter(Boolean)).toHaveLength(1);

      const [first] = ids as [string];
      const winner = results[0]![0] ? 'engine-a' : 'engine-b';
      const loser = winner === 'engine-a' ? 'engine-b' : 'engine-a';
      expect(await store.claimDelivery(first, loser, T0 + 29_999, T0 + 60_000)).toBe(false);
      expect(await store.claimDelivery(first, winner, T0 + 29_999, T0 + 60_000)).toBe(false);
      // The claimant died: once the claim has expired, another replica may take it.
      expect(await other.claimDelivery(first, loser, T0 + 30_000, T0 + 60_000)).toBe(true);

      // Not due, unknown, or finished: nothing to claim.
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries: [testDelivery('future', { nextAttemptAt: T0 + 5_000 })] });
      expect(await store.claimDelivery('future', 'engine-a', T0 + 4_999, T0 + 60_000)).toBe(false);
      expect(await store.claimDelivery('future', 'engine-a', T0 + 5_000, T0 + 60_000)).toBe(true);
      expect(await store.claimDelivery('no-such-delivery', 'engine-a', T0, T0 + 60_000)).toBe(false);
      await store.finishAttempt('future', { status: 'delivered', attempts: 1, nextAttemptAt: T0 + 5_000, lastError: null, deliveredAt: T0 + 5_001 });
      expect(await other.claimDelivery('future', 'engine-b', T0 + 90_000, T0 + 120_000)).toBe(false);
    });

    it('records attempt results: delivered, retried later, dead-lettered; finished deliveries stay finished', async () => {
      const { store } = await fresh();
      await leader(store);
      const ids = ['ok', 'retry', 'dead'];
      await store.commit('engine-a', T0, {
        state: testPersisted('checkout-availability'),
        transitions: [],
        deliveries: ids.map((id, i) => testDelivery(id, { createdAt: T0 + i })),
      });
      for (const id of ids) expect(await store.claimDelivery(id, 'engine-a', T0 + 10, T0 + 30_000)).toBe(true);

      await store.finishAttempt('ok', { status: 'delivered', attempts: 1, nextAttemptAt: T0 + 10, lastError: null, deliveredAt: T0 + 11 }, 'engine-a');
      await store.finishAttempt('retry', { status: 'pending', attempts: 1, nextAttemptAt: T0 + 2_000, lastError: 'HTTP 429, Retry-After 2 s', deliveredAt: null }, 'engine-a');
      await store.finishAttempt('dead', { status: 'dead', attempts: 8, nextAttemptAt: T0 + 10, lastError: 'HTTP 410 Gone', deliveredAt: null }, 'engine-a');

      expect(await store.dueDeliveries(T0 + 1_999, 10)).toEqual([]);
      const [retry] = await store.dueDeliveries(T0 + 2_000, 10);
      expect(retry).toMatchObject({ id: 'retry', status: 'pending', attempts: 1, nextAttemptAt: T0 + 2_000, lastError: 'HTTP 429, Retry-After 2 s' });
      // The claim was released with the result: the retry can be claimed again at once.
      expect(await store.claimDelivery('retry', 'engine-b', T0 + 2_000, T0 + 30_000)).toBe(true);

      const dead = await store.deliveries({ status: 'dead', limit: 10 });
      expect(dead).toEqual([{ ...testDelivery('dead', { createdAt: T0 + 2 }), status: 'dead', attempts: 8, nextAttemptAt: T0 + 10, lastError: 'HTTP 410 Gone' }]);
      expect(await store.deliveries({ status: 'delivered', limit: 10 })).toMatchObject([{ id: 'ok', attempts: 1, deliveredAt: T0 + 11, lastError: null }]);

      // A late result does not reopen a finished delivery.
      await store.finishAttempt('ok', { status: 'pending', attempts: 2, nextAttemptAt: T0 + 20, lastError: 'late', deliveredAt: null });
      await store.finishAttempt('dead', { status: 'pending', attempts: 9, nextAttemptAt: T0 + 20, lastError: 'late', deliveredAt: null });
      expect((await store.deliveries({ limit: 10 })).map((d) => [d.id, d.status])).toEqual([
        ['dead', 'dead'],
        ['retry', 'pending'],
        ['ok', 'delivered'],
      ]);
    });

    it('ignores the result of a replica whose claim expired and was taken over', async () => {
      const { store, another } = await fresh();
      const other = another();
      await leader(store);
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries: [testDelivery('d1')] });
      expect(await store.claimDelivery('d1', 'engine-a', T0, T0 + 1_000)).toBe(true);
      expect(await other.claimDelivery('d1', 'engine-b', T0 + 1_000, T0 + 2_000)).toBe(true);
      await other.finishAttempt('d1', { status: 'delivered', attempts: 1, nextAttemptAt: T0 + 1_000, lastError: null, deliveredAt: T0 + 1_500 }, 'engine-b');
      await store.finishAttempt('d1', { status: 'pending', attempts: 1, nextAttemptAt: T0 + 3_000, lastError: 'timeout', deliveredAt: null }, 'engine-a');
      expect(await store.deliveries({ limit: 10 })).toMatchObject([{ id: 'd1', status: 'delivered', deliveredAt: T0 + 1_500 }]);

      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries: [testDelivery('d2')] });
      expect(await store.claimDelivery('d2', 'engine-a', T0, T0 + 1_000)).toBe(true);
      expect(await other.claimDelivery('d2', 'engine-b', T0 + 1_000, T0 + 2_000)).toBe(true);
      await store.finishAttempt('d2', { status: 'delivered', attempts: 1, nextAttemptAt: T0, lastError: null, deliveredAt: T0 + 1_100 }, 'engine-a');
      expect((await store.dueDeliveries(T0 + 1_200, 10)).map((d) => d.id)).toEqual(['d2']);
    });

    it('lists deliveries newest first, by status, up to the limit', async () => {
      const { store } = await fresh();
      await leader(store);
      const deliveries: Delivery[] = [
        testDelivery('a', { createdAt: T0 }),
        testDelivery('b', { createdAt: T0 + 2, status: 'dead', attempts: 8, lastError: 'HTTP 500' }),
        testDelivery('c', { createdAt: T0 + 1 }),
        testDelivery('d', { createdAt: T0 + 3, status: 'dead', attempts: 8, lastError: 'HTTP 500' }),
      ];
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: [], deliveries });
      expect((await store.deliveries({ limit: 10 })).map((d) => d.id)).toEqual(['d', 'b', 'c', 'a']);
      expect((await store.deliveries({ limit: 2 })).map((d) => d.id)).toEqual(['d', 'b']);
      expect((await store.deliveries({ status: 'dead', limit: 10 })).map((d) => d.id)).toEqual(['d', 'b']);
      expect((await store.deliveries({ status: 'pending', limit: 1 })).map((d) => d.id)).toEqual(['c']);
      expect(await store.deliveries({ status: 'delivered', limit: 10 })).toEqual([]);
    });

    it('lists transitions newest first, of all SLOs or of one, up to the limit', async () => {
      const { store } = await fresh();
      await leader(store);
      const checkout = [
        testTransition('t1', 'checkout-availability', T0),
        testTransition('t3', 'checkout-availability', T0 + 20_000, { from: 'ORANGE', to: 'RED', level: 1.02 }),
        testTransition('t4', 'checkout-availability', T0 + 25_000, { kind: 'burn-rate', from: 'none', to: 'page-1h', level: null }),
      ];
      const search = [testTransition('t2', 'search-latency', T0 + 10_000)];
      await store.commit('engine-a', T0, { state: testPersisted('checkout-availability'), transitions: checkout, deliveries: [] });
      await store.commit('engine-a', T0, { state: testPersisted('search-latency'), transitions: search, deliveries: [] });

      expect(await store.transitions({ limit: 10 })).toEqual([checkout[2], checkout[1], search[0], checkout[0]]);
      expect((await store.transitions({ limit: 2 })).map((t) => t.id)).toEqual(['t4', 't3']);
      expect((await store.transitions({ slo: 'checkout-availability', limit: 10 })).map((t) => t.id)).toEqual(['t4', 't3', 't1']);
      expect((await store.transitions({ slo: 'search-latency', limit: 10 })).map((t) => t.id)).toEqual(['t2']);
      expect(await store.transitions({ slo: 'unknown', limit: 10 })).toEqual([]);
    });

    it('forgets the states of removed SLOs and keeps the others', async () => {
      const { store } = await fresh();
      await leader(store);
      for (const name of ['a', 'b', 'c']) await store.commit('engine-a', T0, { state: testPersisted(name), ...nothing });
      await store.removeStates(['a', 'c', 'never-existed']);
      await store.removeStates([]);
      expect((await store.loadStates()).map((s) => s.name)).toEqual(['b']);
    });

    it('keeps states, transitions, deliveries with their attempts, and the lease across a restart', async () => {
      const { store, another } = await fresh();
      await leader(store);
      const state = testPersisted('checkout-availability');
      const transitions = [testTransition('t1', 'checkout-availability', T0)];
      await store.commit('engine-a', T0, { state, transitions, deliveries: [testDelivery('d1'), testDelivery('d2', { createdAt: T0 + 1 })] });
      expect(await store.claimDelivery('d1', 'engine-a', T0, T0 + 60_000)).toBe(true);
      await store.finishAttempt('d1', { status: 'pending', attempts: 1, nextAttemptAt: T0 + 5_000, lastError: 'HTTP 503', deliveredAt: null });
      expect(await store.claimDelivery('d2', 'engine-a', T0 + 1, T0 + 60_000)).toBe(true);
      await store.close();

      const reopened = another();
      expect(await reopened.loadStates()).toEqual([state]);
      expect(await reopened.transitions({ limit: 10 })).toEqual(transitions);
      expect(await reopened.leaseHolder(T0 + 1)).toEqual({ holder: 'engine-a', expiresAt: T0 + TTL });
      expect(await reopened.dueDeliveries(T0 + 5_000, 10)).toMatchObject([
        { id: 'd1', attempts: 1, lastError: 'HTTP 503', nextAttemptAt: T0 + 5_000 },
        { id: 'd2', attempts: 0 },
      ]);
      // The claim survived too: d2 stays claimed until its claim expires.
      expect(await reopened.claimDelivery('d2', 'engine-b', T0 + 5_000, T0 + 70_000)).toBe(false);
      expect(await reopened.claimDelivery('d2', 'engine-b', T0 + 60_000, T0 + 70_000)).toBe(true);
      // The holder continues where it was: its lease is still valid for commits.
      await reopened.commit('engine-a', T0 + 2, { state: testPersisted('checkout-availability', T0 + 2), ...nothing });
    });
  });
}
