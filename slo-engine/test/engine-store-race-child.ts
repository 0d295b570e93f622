// One engine replica for the two-process race test (engine-store-race.ts). From `startAt` for
// `durationMs`, two loops run side by side: one takes or renews the lease (now and then releasing
// it, or pausing past its expiry so the other process takes over) and commits one transition per
// turn whether or not it believes it holds the lease; the other claims the due deliveries (all
// of them, in the same order as the other process, a batch at a time) and marks what it won
// delivered. It prints one JSON line per commit and claim won, then a summary.
import { EngineError } from '../src/engine-error.ts';
import type { EngineStore } from '../src/persistence/engine-store.ts';
import { ElasticsearchEngineStore } from '../src/persistence/elasticsearch-engine-store.ts';
import { SqliteEngineStore } from '../src/persistence/sqlite-engine-store.ts';

export type RaceBackend = { readonly backend: 'sqlite'; readonly path: string } | { readonly backend: 'elasticsearch'; readonly url: string; readonly prefix: string };

export type RaceChildConfig = RaceBackend & {
  readonly holder: string;
  readonly startAt: number;
  readonly durationMs: number;
  readonly ttlMs: number;
  readonly batch: number;
};

/** What a child prints, one JSON object per line. */
export type RaceLine =
  | { readonly t: 'claim'; readonly id: string; readonly at: number }
  | { readonly t: 'commit'; readonly id: string; readonly at: number; readonly believedHolder: boolean }
  | { readonly t: 'done'; readonly intervals: { start: number; end: number }[]; readonly fenced: number; readonly claimAttempts: number; readonly turns: number };

function openRaceStore(config: RaceBackend): EngineStore {
  return config.backend === 'sqlite'
    ? new SqliteEngineStore({ path: config.path })
    : new ElasticsearchEngineStore({ node: config.url, indexPrefix: config.prefix, replicas: 0 });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const print = (line: RaceLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(config: RaceChildConfig): Promise<void> {
  const { holder, ttlMs } = config;
  const store = openRaceStore(config);
  // When this process believed it held the lease: from the moment acquireLease returned true
  // until the expiry it asked for (or until it started releasing).
  const intervals: { start: number; end: number }[] = [];
  let held: { start: number; end: number } | undefined;
  let fenced = 0;
  let claimAttempts = 0;
  let turn = 0;

  await sleep(Math.max(0, config.startAt - Date.now()));
  const ids = (await store.dueDeliveries(Date.now(), 10_000)).map((delivery) => delivery.id);
  const deadline = config.startAt + config.durationMs;

  async function leaseLoop(): Promise<void> {
    while (Date.now() < deadline) {
      turn++;
      const asked = Date.now();
      if (await store.acquireLease(holder, asked, ttlMs)) {
        const start = Date.now();
        if (held !== undefined && start <= held.end) held.end = asked + ttlMs;
        else intervals.push((held = { start, end: asked + ttlMs }));
      }
      const at = Date.now();
      const believedHolder = held !== undefined && at < held.end;
      const id = `${holder}-${turn}`;
      try {
        await store.commit(holder, at, {
          state: {
            name: 'race',
            fingerprint: holder,
            state: { status: 'ORANGE', since: at, lastKnown: 'ORANGE', aboveOrangeSince: at, aboveRedSince: null, belowGreenSince: null, level: 0.9 },
            burnAlert: { tier: null, since: null },
            evaluatedAt: at,
          },
          transitions: [{ id, slo: 'race', kind: 'state', from: 'GREEN', to: 'ORANGE', level: 0.9, at }],
          deliveries: [],
        });
        print({ t: 'commit', id, at, believedHolder });
      } catch (error) {
        if (!(error instanceof EngineError && error.code === 'SLO_LEASE_LOST')) throw error;
        fenced++;
      }
      if (believedHolder && Math.random() < 0.15) {
        if (Math.random() < 0.5) {
          // Hand over: stop believing first, then release.
          held!.end = Math.min(held!.end, Date.now());
          held = undefined;
          await store.releaseLease(holder);
          await sleep(ttlMs / 2);
        } else {
          // Pause past the expiry (as a long GC pause would): the other replica takes over.
          await sleep(ttlMs + 200);
        }
      } else {
        await sleep(5);
      }
    }
  }

  // Every process walks the same list in the same order, so both go for the same delivery at once.
  async function claimLoop(): Promise<void> {
    let cursor = 0;
    // Run for the duration, and on until every delivery was tried at least once (bounded).
    const hardDeadline = config.startAt + 4 * config.durationMs;
    while (Date.now() < deadline || (cursor < ids.length && Date.now() < hardDeadline)) {
      const batch = Array.from({ length: Math.min(config.batch, ids.length) }, () => ids[cursor++ % ids.length]!);
      await Promise.all(
        batch.map(async (deliveryId) => {
          claimAttempts++;
          const now = Date.now();
          if (!(await store.claimDelivery(deliveryId, holder, now, now + 600_000))) return;
          print({ t: 'claim', id: deliveryId, at: now });
          await sleep(20); // sending
          await store.finishAttempt(deliveryId, { status: 'delivered', attempts: 1, nextAttemptAt: now, lastError: null, deliveredAt: Date.now() }, holder);
        }),
      );
      await sleep(5);
    }
  }

  await Promise.all([leaseLoop(), claimLoop()]);
  print({ t: 'done', intervals, fenced, claimAttempts, turns: turn });
  await store.close();
}

await main(JSON.parse(process.argv[2]!) as RaceChildConfig);
