import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { RollupStore } from '../src/rollups/rollup-store.ts';
import { SqliteRollupStore } from '../src/rollups/sqlite-rollup-store.ts';
import { rollupStoreContract } from './rollup-store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'lookout-rollups-'));
const opened: RollupStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});
let files = 0;

describe('SqliteRollupStore', () => {
  rollupStoreContract(async () => {
    const store = new SqliteRollupStore({ path: join(dir, `state-${files++}.sqlite`) });
    opened.push(store);
    return store;
  });

  test('keeps the rollups across a reopen of the state file', async () => {
    const path = join(dir, 'reopen', 'state.sqlite');
    const first = new SqliteRollupStore({ path });
    await first.write('k', { from: 0, to: 120_000 }, [{ minute: 60_000, good: 2, total: 3 }]);
    await first.close();
    const second = new SqliteRollupStore({ path });
    opened.push(second);
    expect(await second.coverage('k')).toEqual({ from: 0, to: 120_000 });
    expect(await second.sum('k', { from: 0, to: 120_000 })).toEqual({ good: 2, total: 3 });
  });

  test('a state file that cannot be opened: SLO_STATE_STORE_FAILED naming the path', () => {
    const blocker = join(dir, 'plain-file');
    writeFileSync(blocker, 'not a directory');
    const path = join(blocker, 'state.sqlite');
    expect(() => new SqliteRollupStore({ path })).toThrow(expect.objectContaining({ code: 'SLO_STATE_STORE_FAILED', message: expect.stringContaining(path) }));
  });
});
