import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../src/engine-error.ts';
import { SQLITE_ENGINE_STORE_SCHEMA_VERSION, SqliteEngineStore } from '../src/persistence/sqlite-engine-store.ts';
import { describeEngineStoreContract } from './engine-store-contract.ts';

describeEngineStoreContract('SQLite state file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-store-'));
  const path = join(dir, 'state', 'slo-engine.sqlite');
  return {
    open: () => new SqliteEngineStore({ path }),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteEngineStore', () => {
  it('fails with SLO_STATE_STORE_FAILED naming the path when the file cannot be created', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-store-'));
    try {
      writeFileSync(join(dir, 'not-a-folder'), '');
      const path = join(dir, 'not-a-folder', 'slo-engine.sqlite');
      const error = (() => {
        try {
          new SqliteEngineStore({ path });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'SLO_STATE_STORE_FAILED', details: { path } });
      expect((error as Error).message).toContain(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with SLO_STATE_STORE_FAILED naming the path when the path is a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-store-'));
    try {
      expect(() => new SqliteEngineStore({ path: dir })).toThrow(expect.objectContaining({ code: 'SLO_STATE_STORE_FAILED', message: expect.stringContaining(dir) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps its schema version in a meta table and refuses a file written by a newer engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-store-'));
    const path = join(dir, 'slo-engine.sqlite');
    try {
      await new SqliteEngineStore({ path }).close();
      const db = new DatabaseSync(path);
      expect(db.prepare(`SELECT value FROM engine_store_meta WHERE key = 'schema_version'`).get()).toEqual({ value: String(SQLITE_ENGINE_STORE_SCHEMA_VERSION) });
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      db.prepare(`UPDATE engine_store_meta SET value = '99' WHERE key = 'schema_version'`).run();
      db.close();
      expect(() => new SqliteEngineStore({ path })).toThrow(expect.objectContaining({ code: 'SLO_STATE_STORE_FAILED', message: expect.stringMatching(/schema version 99.*newer engine/) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a failure after close as SLO_STATE_STORE_FAILED naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-store-'));
    const path = join(dir, 'slo-engine.sqlite');
    try {
      const store = new SqliteEngineStore({ path });
      await store.close();
      await expect(store.loadStates()).rejects.toMatchObject({ code: 'SLO_STATE_STORE_FAILED', message: expect.stringContaining(path) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
