import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { EngineError } from '../engine-error.ts';
import type { SloNotification } from '../notify/notification.ts';
import type { SloState } from '../state/state-machine.ts';
import type { AttemptRecord, Delivery, EngineStore, PersistedSlo, TransitionRecord } from './engine-store.ts';

/** Version of the tables below, in `engine_store_meta` under `schema_version`. */
export const SQLITE_ENGINE_STORE_SCHEMA_VERSION = 1;

/** The one lease row (a state file serves one engine deployment). */
const LEASE_NAME = 'leader';

/**
 * Layout of the engine's tables (prefixed `engine_`, so the state file can hold other tables,
 * such as rollups, beside them). Times are epoch ms. `engine_slo_states.state` and
 * `engine_deliveries.notification` are JSON. A delivery is claimed while `claimed_by` is set
 * and `claim_until` is in the future.
 */
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS engine_slo_states (
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL,
  burn_tier TEXT,
  burn_since INTEGER,
  evaluated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS engine_transitions (
  id TEXT PRIMARY KEY,
  slo TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  level REAL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS engine_transitions_at ON engine_transitions (at);
CREATE INDEX IF NOT EXISTS engine_transitions_slo_at ON engine_transitions (slo, at);
CREATE TABLE IF NOT EXISTS engine_deliveries (
  id TEXT PRIMARY KEY,
  notification TEXT NOT NULL,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  claimed_by TEXT,
  claim_until INTEGER
);
CREATE INDEX IF NOT EXISTS engine_deliveries_due ON engine_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS engine_deliveries_created ON engine_deliveries (created_at);
CREATE INDEX IF NOT EXISTS engine_deliveries_status_created ON engine_deliveries (status, created_at);
CREATE TABLE IF NOT EXISTS engine_lease (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL
);
`;

export interface SqliteEngineStoreOptions {
  /** The engine's state file (created with its folder when missing). */
  readonly path: string;
  /**
   * How long a statement waits for another process's write lock before failing (SQLite busy
   * timeout). Writes hold the lock for well under a millisecond; default 5 000 ms.
   */
  readonly busyTimeoutMs?: number;
}

interface StateRow {
  name: string;
  fingerprint: string;
  state: string;
  burn_tier: string | null;
  burn_since: number | null;
  evaluated_at: number;
}

interface TransitionRow {
  id: string;
  slo: string;
  kind: string;
  from_status: string;
  to_status: string;
  level: number | null;
  at: number;
}

interface DeliveryRow {
  id: string;
  notification: string;
  channel: string;
  target: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/**
 * The {@link EngineStore} in the engine's own SQLite state file, over Node's built-in
 * `node:sqlite`. Several engine processes may open the same file: WAL journal (readers never
 * block the writer), a busy timeout (writers queue for the lock instead of failing), every
 * write in a `BEGIN IMMEDIATE` transaction (the write lock is taken before reading, so no
 * transaction sees a stale snapshot), and `synchronous = FULL` (a committed claim or delivery
 * survives a power loss: a lost "delivered" would mean a second send).
 *
 * - `commit` is one transaction that first checks the lease (fencing): nothing is written
 *   unless `holder` holds an unexpired lease at `now`.
 * - `acquireLease` is one conditional UPSERT: taken when absent, expired, or already `holder`'s.
 * - `claimDelivery` is one conditional UPDATE (pending, due, unclaimed or claim expired):
 *   whatever the number of processes, exactly one caller changes the row.
 *
 * Every failure is an `EngineError` `SLO_STATE_STORE_FAILED` naming the file (or
 * `SLO_LEASE_LOST` from `commit`).
 */
export class SqliteEngineStore implements EngineStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements: ReturnType<typeof prepareStatements>;
  #closed = false;

  /** Opens (creating when missing) the state file; throws `SLO_STATE_STORE_FAILED` naming the path. */
  constructor(options: SqliteEngineStoreOptions) {
    this.path = options.path;
    let db: DatabaseSync | undefined;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      db = new DatabaseSync(this.path, { timeout: options.busyTimeoutMs ?? 5_000 });
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
      migrate(db, this.path);
      this.#statements = prepareStatements(db);
    } catch (error) {
      db?.close();
      if (error instanceof EngineError) throw error;
      throw this.#failure('open', error);
    }
    this.#db = db;
  }

  async acquireLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.#write('acquireLease', () => Number(this.#statements.acquireLease.run(LEASE_NAME, holder, now + ttlMs, now, now, now).changes) === 1);
  }

  async releaseLease(holder: string): Promise<void> {
    this.#write('releaseLease', () => this.#statements.releaseLease.run(LEASE_NAME, holder));
  }

  async leaseHolder(now: number): Promise<{ readonly holder: string; readonly expiresAt: number } | undefined> {
    const row = this.#read('leaseHolder', () => this.#statements.leaseHolder.get(LEASE_NAME, now)) as { holder: string; expires_at: number } | undefined;
    return row === undefined ? undefined : { holder: row.holder, expiresAt: row.expires_at };
  }

  async loadStates(): Promise<PersistedSlo[]> {
    const rows = this.#read('loadStates', () => this.#statements.loadStates.all()) as unknown as StateRow[];
    return rows.map((row) => ({
      name: row.name,
      fingerprint: row.fingerprint,
      state: JSON.parse(row.state) as SloState,
      burnAlert: { tier: row.burn_tier, since: row.burn_since },
      evaluatedAt: row.evaluated_at,
    }));
  }

  async commit(
    holder: string,
    now: number,
    update: { readonly state: PersistedSlo; readonly transitions: readonly TransitionRecord[]; readonly deliveries: readonly Delivery[] },
  ): Promise<void> {
    const s = this.#statements;
    this.#write('commit', () => {
      if (s.leaseHeldBy.get(LEASE_NAME, holder, now) === undefined) {
        const current = s.leaseHolder.get(LEASE_NAME, now) as { holder: string; expires_at: number } | undefined;
        throw new EngineError(
          'SLO_LEASE_LOST',
          `engine state ${this.path}: ${holder} does not hold the lease at ${new Date(now).toISOString()} (${current === undefined ? 'no holder' : `held by ${current.holder}`}); nothing written for SLO "${update.state.name}"`,
          { path: this.path, holder, slo: update.state.name, currentHolder: current?.holder },
        );
      }
      const { state } = update;
      s.upsertState.run(state.name, state.fingerprint, JSON.stringify(state.state), state.burnAlert.tier, state.burnAlert.since, state.evaluatedAt);
      for (const t of update.transitions) s.insertTransition.run(t.id, t.slo, t.kind, t.from, t.to, t.level, t.at);
      for (const d of update.deliveries) {
        s.insertDelivery.run(d.id, JSON.stringify(d.notification), d.channel, d.target, d.status, d.attempts, d.nextAttemptAt, d.lastError, d.createdAt, d.deliveredAt);
      }
    });
  }

  async removeStates(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    this.#write('removeStates', () => {
      for (const name of names) this.#statements.removeState.run(name);
    });
  }

  async transitions(query: { readonly slo?: string; readonly limit: number }): Promise<TransitionRecord[]> {
    const rows = this.#read('transitions', () =>
      query.slo === undefined ? this.#statements.transitions.all(query.limit) : this.#statements.transitionsOfSlo.all(query.slo, query.limit),
    ) as unknown as TransitionRow[];
    return rows.map((row) => ({ id: row.id, slo: row.slo, kind: row.kind as TransitionRecord['kind'], from: row.from_status, to: row.to_status, level: row.level, at: row.at }));
  }

  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    const rows = this.#read('dueDeliveries', () => this.#statements.dueDeliveries.all(now, limit)) as unknown as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async claimDelivery(id: string, holder: string, now: number, until: number): Promise<boolean> {
    return this.#write('claimDelivery', () => Number(this.#statements.claimDelivery.run(holder, until, id, now, now).changes) === 1);
  }

  async finishAttempt(id: string, record: AttemptRecord, holder?: string): Promise<void> {
    const s = this.#statements;
    this.#write('finishAttempt', () => {
      const values = [record.status, record.attempts, record.nextAttemptAt, record.lastError, record.deliveredAt, id] as const;
      if (holder === undefined) s.finishAttempt.run(...values);
      else s.finishOwnAttempt.run(...values, holder);
    });
  }

  async deliveries(query: { readonly status?: Delivery['status']; readonly limit: number }): Promise<Delivery[]> {
    const rows = this.#read('deliveries', () =>
      query.status === undefined ? this.#statements.deliveries.all(query.limit) : this.#statements.deliveriesOfStatus.all(query.status, query.limit),
    ) as unknown as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #read<T>(operation: string, run: () => T): T {
    if (this.#closed) throw this.#failure(operation, new Error('the store is closed'));
    try {
      return run();
    } catch (error) {
      throw this.#failure(operation, error);
    }
  }

  /** Runs `run` in an immediate transaction (rolled back when it throws). */
  #write<T>(operation: string, run: () => T): T {
    if (this.#closed) throw this.#failure(operation, new Error('the store is closed'));
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw this.#failure(operation, error);
    }
    try {
      const result = run();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      if (error instanceof EngineError) throw error;
      throw this.#failure(operation, error);
    }
  }

  #failure(operation: string, error: unknown): EngineError {
    const message = error instanceof Error ? error.message : String(error);
    return new EngineError('SLO_STATE_STORE_FAILED', `engine state ${this.path}: ${operation} failed: ${message}`, { path: this.path, operation }, { cause: error });
  }
}

/** Creates the tables, or checks that the file's schema is one this engine knows. */
function migrate(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS engine_store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const row = db.prepare(`SELECT value FROM engine_store_meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
    const version = row === undefined ? 0 : Number(row.value);
    if (version > SQLITE_ENGINE_STORE_SCHEMA_VERSION) {
      throw new EngineError(
        'SLO_STATE_STORE_FAILED',
        `engine state ${path}: schema version ${row?.value} was written by a newer engine (this one knows ${SQLITE_ENGINE_STORE_SCHEMA_VERSION}); upgrade the engine or use another file`,
        { path, schemaVersion: row?.value },
      );
    }
    if (version < SQLITE_ENGINE_STORE_SCHEMA_VERSION) {
      db.exec(SCHEMA_SQL);
      db.prepare(`INSERT OR REPLACE INTO engine_store_meta (key, value) VALUES ('schema_version', ?)`).run(String(SQLITE_ENGINE_STORE_SCHEMA_VERSION));
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Every statement the store runs, prepared once. */
function prepareStatements(db: DatabaseSync) {
  const deliveryColumns = 'id, notification, channel, target, status, attempts, next_attempt_at, last_error, created_at, delivered_at';
  const finish = `UPDATE engine_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?, claimed_by = NULL, claim_until = NULL WHERE id = ? AND status = 'pending'`;
  return {
    // (name, holder, expires_at, acquired_at, now, now): taken when free, expired or already the
    // holder's; `acquired_at` is kept across renewals of an unexpired lease.
    acquireLease: db.prepare(
      `INSERT INTO engine_lease (name, holder, expires_at, acquired_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder,
         expires_at = excluded.expires_at,
         acquired_at = CASE WHEN engine_lease.holder = excluded.holder AND engine_lease.expires_at > ? THEN engine_lease.acquired_at ELSE excluded.acquired_at END
       WHERE engine_lease.holder = excluded.holder OR engine_lease.expires_at <= ?`,
    ),
    releaseLease: db.prepare('UPDATE engine_lease SET expires_at = 0 WHERE name = ? AND holder = ?'),
    leaseHolder: db.prepare('SELECT holder, expires_at FROM engine_lease WHERE name = ? AND expires_at > ?'),
    leaseHeldBy: db.prepare('SELECT 1 FROM engine_lease WHERE name = ? AND holder = ? AND expires_at > ?'),
    loadStates: db.prepare('SELECT name, fingerprint, state, burn_tier, burn_since, evaluated_at FROM engine_slo_states ORDER BY name'),
    upsertState: db.prepare(
      `INSERT INTO engine_slo_states (name, fingerprint, state, burn_tier, burn_since, evaluated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET fingerprint = excluded.fingerprint, state = excluded.state, burn_tier = excluded.burn_tier,
         burn_since = excluded.burn_since, evaluated_at = excluded.evaluated_at`,
    ),
    removeState: db.prepare('DELETE FROM engine_slo_states WHERE name = ?'),
    insertTransition: db.prepare('INSERT OR IGNORE INTO engine_transitions (id, slo, kind, from_status, to_status, level, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    transitions: db.prepare('SELECT id, slo, kind, from_status, to_status, level, at FROM engine_transitions ORDER BY at DESC, id DESC LIMIT ?'),
    transitionsOfSlo: db.prepare('SELECT id, slo, kind, from_status, to_status, level, at FROM engine_transitions WHERE slo = ? ORDER BY at DESC, id DESC LIMIT ?'),
    insertDelivery: db.prepare(`INSERT OR IGNORE INTO engine_deliveries (${deliveryColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    dueDeliveries: db.prepare(
      `SELECT ${deliveryColumns} FROM engine_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?`,
    ),
    // (holder, until, id, now, now)
    claimDelivery: db.prepare(
      `UPDATE engine_deliveries SET claimed_by = ?, claim_until = ?
       WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? AND (claimed_by IS NULL OR claim_until <= ?)`,
    ),
    finishAttempt: db.prepare(finish),
    finishOwnAttempt: db.prepare(`${finish} AND claimed_by = ?`),
    deliveries: db.prepare(`SELECT ${deliveryColumns} FROM engine_deliveries ORDER BY created_at DESC, id DESC LIMIT ?`),
    deliveriesOfStatus: db.prepare(`SELECT ${deliveryColumns} FROM engine_deliveries WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    notification: JSON.parse(row.notification) as SloNotification,
    channel: row.channel as Delivery['channel'],
    target: row.target,
    status: row.status as Delivery['status'],
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}
