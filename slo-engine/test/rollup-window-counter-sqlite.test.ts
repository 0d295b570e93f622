import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { SqliteEventSource } from '../src/events/sqlite-event-source.ts';
import { SqliteRollupStore } from '../src/rollups/sqlite-rollup-store.ts';
import { ProxyEmbeddedWriter } from './event-source-seeding.ts';
import { windowCounterContract } from './rollup-window-counter-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'lookout-window-counter-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;

describe('WindowCounter over the embedded store and SQLite rollups', () => {
  windowCounterContract(async () => {
    const id = n++;
    const writer = new ProxyEmbeddedWriter(join(dir, `events-${id}.sqlite`));
    const source = new SqliteEventSource({ path: join(dir, `events-${id}.sqlite`) });
    const rollups = new SqliteRollupStore({ path: join(dir, `state-${id}.sqlite`) });
    cleanups.push(() => writer.close(), () => source.close(), () => rollups.close());
    return { source, rollups, append: async (events) => writer.append(events) };
  }, 4_242);
});
