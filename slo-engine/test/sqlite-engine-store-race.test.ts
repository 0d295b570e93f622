import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { SqliteEngineStore } from '../src/persistence/sqlite-engine-store.ts';
import { raceTwoProcesses } from './engine-store-race.ts';

describe('SqliteEngineStore shared by two engine processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-store-race-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each of 200 deliveries to exactly one process and the lease to one process at a time', { timeout: 60_000 }, async () => {
    const path = join(dir, 'slo-engine.sqlite');
    await raceTwoProcesses({
      backend: { backend: 'sqlite', path },
      open: () => new SqliteEngineStore({ path }),
      deliveries: 200,
      durationMs: 3_000,
      ttlMs: 150,
      batch: 4,
    });
  });
});
