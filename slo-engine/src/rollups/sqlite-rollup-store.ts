import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { EngineError } from '../engine-error.ts';
import type { MinuteCount, TimeRange } from '../events/event-source.ts';
import { assertMinuteAligned } from '../events/minute.ts';
import type { GoodTotal } from '../sli/level.ts';
import type { RollupStore } from './rollup-store.ts';
import { coverageAfterPrune, coverageAfterWrite } from './rollup-write-rules.ts';

/** Options of {@link SqliteRollupStore}. */
export interface SqliteRollupStoreOptions {
  /** The engine's own state file (never the proxy's events file); created when missing. */
  readonly path: string;
  /** How long a statement waits on a lock held by another connection, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Two tables in the engine's state file: `slo_rollup_minutes(key, minute, good, total)`, one row
 * per SLI key and minute with events (a WITHOUT ROWID table clustered on `(key, minute)`, so a
 * 30-day sum reads 43 200 adjacent rows at most), and `slo_rollup_coverage(key, from_minute,
 * to_minute)`. Each write is one transaction: the minutes and their coverage change together.
 */
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS slo_rollup_minutes (
  key TEXT NOT NULL,
  minute INTEGER NOT NULL,
  good INTEGER NOT NULL,
  total INTEGER NOT NULL,
  PRIMARY KEY (key, minute)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS slo_rollup_coverage (
  key TEXT PRIMARY KEY,
  from_minute INTEGER NOT NULL,
  to_minute INTEGER NOT NULL
);
`;

/** {@link RollupStore} in the engine's SQLite state file (WAL; shares the file with the engine's other tables). */
export class SqliteRollupStore implements RollupStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements: {
    coverage: StatementSync;
    setCoverage: StatementSync;
    deleteCoverage: StatementSync;
    deleteMinutes: StatementSync;
    insertMinute: StatementSync;
    sum: StatementSync;
    pruneMinutes: StatementSync;
    dropMinutes: StatementSync;
    keys: StatementSync;
  };

  constructor(options: SqliteRollupStoreOptions) {
    this.path = options.path;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      this.#db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
      this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      this.#db.exec(SCHEMA_SQL);
      this.#statements = {
        coverage: this.#db.prepare('SELECT from_minute, to_minute FROM slo_rollup_coverage WHERE key = ?'),
        setCoverage: this.#db.prepare('INSERT OR REPLACE INTO slo_rollup_coverage (key, from_minute, to_minute) VALUES (?, ?, ?)'),
        deleteCoverage: this.#db.prepare('DELETE FROM slo_rollup_coverage WHERE key = ?'),
        deleteMinutes: this.#db.prepare('DELETE FROM slo_rollup_minutes WHERE key = ? AND minute >= ? AND minute < ?'),
        insertMinute: this.#db.prepare('INSERT INTO slo_rollup_minutes (key, minute, good, total) VALUES (?, ?, ?, ?)'),
        sum: this.#db.prepare('SELECT coalesce(sum(good), 0) AS good, coalesce(sum(total), 0) AS total FROM slo_rollup_minutes WHERE key = ? AND minute >= ? AND minute < ?'),
        pruneMinutes: this.#db.prepare('DELETE FROM slo_rollup_minutes WHERE key = ? AND minute < ?'),
        dropMinutes: this.#db.prepare('DELETE FROM slo_rollup_minutes WHERE key = ?'),
        keys: this.#db.prepare('SELECT key FROM slo_rollup_coverage ORDER BY key'),
      };
    } catch (error) {
      throw this.#error('opening', error);
    }
  }

  async coverage(key: string): Promise<TimeRange | undefined> {
    return this.#run('reading the coverage', () => this.#coverage(key));
  }

  async write(key: string, range: TimeRange, minutes: readonly MinuteCount[]): Promise<void> {
    this.#transaction('writing minutes', () => {
      const coverage = coverageAfterWrite(key, this.#coverage(key), range, minutes);
      this.#statements.deleteMinutes.run(key, range.from, range.to);
      for (const minute of minutes) if (minute.total > 0) this.#statements.insertMinute.run(key, minute.minute, minute.good, minute.total);
      this.#statements.setCoverage.run(key, coverage.from, coverage.to);
    });
  }

  async sum(key: string, range: TimeRange): Promise<GoodTotal> {
    const [sum] = await this.sumRanges(key, [range]);
    return sum!;
  }

  async sumRanges(key: string, ranges: readonly TimeRange[]): Promise<GoodTotal[]> {
    for (const range of ranges) assertMinuteAligned(range);
    return this.#transaction(
      'summing minutes',
      () =>
        ranges.map((range) => {
          const row = this.#statements.sum.get(key, range.from, range.to) as { good: number; total: number };
          return { good: row.good, total: row.total };
        }),
      'DEFERRED',
    );
  }

  async prune(key: string, before: number): Promise<void> {
    this.#transaction('pruning minutes', () => {
      const coverage = this.#coverage(key);
      this.#statements.pruneMinutes.run(key, before);
      if (coverage === undefined) return;
      const left = coverageAfterPrune(coverage, before);
      if (left === undefined) this.#statements.deleteCoverage.run(key);
      else this.#statements.setCoverage.run(key, left.from, left.to);
    });
  }

  async drop(key: string): Promise<void> {
    this.#transaction('dropping a key', () => {
      this.#statements.dropMinutes.run(key);
      this.#statements.deleteCoverage.run(key);
    });
  }

  async keys(): Promise<string[]> {
    return this.#run('listing keys', () => (this.#statements.keys.all() as { key: string }[]).map((row) => row.key));
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #coverage(key: string): TimeRange | undefined {
    const row = this.#statements.coverage.get(key) as { from_minute: number; to_minute: number } | undefined;
    return row === undefined ? undefined : { from: row.from_minute, to: row.to_minute };
  }

  #run<T>(doing: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw this.#error(doing, error);
    }
  }

  /** `work` in one transaction: IMMEDIATE (takes the write lock first) to write, DEFERRED to read one snapshot. */
  #transaction<T>(doing: string, work: () => T, mode: 'IMMEDIATE' | 'DEFERRED' = 'IMMEDIATE'): T {
    return this.#run(doing, () => {
      this.#db.exec(`BEGIN ${mode}`);
      try {
        const result = work();
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  #error(doing: string, error: unknown): Error {
    if (error instanceof RangeError || error instanceof EngineError) return error;
    return new EngineError('SLO_STATE_STORE_FAILED', `rollups in ${this.path}: ${doing} failed: ${(error as Error).message}`, { path: this.path }, { cause: error });
  }
}
