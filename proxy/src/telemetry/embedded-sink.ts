import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RequestEvent } from '@lookout/telemetry';
import type { Logger } from '../log.ts';
import type { EmbeddedSinkConfig } from './telemetry-config.ts';
import type { TelemetryCounters } from './telemetry-counters.ts';
import type { TelemetrySink } from './telemetry-sink.ts';

/** Table of the embedded store; one row per request event. */
export const EMBEDDED_TABLE = 'request_events';
/** Version of the table layout below, in `lookout_meta` under `schema_version`. */
export const EMBEDDED_SCHEMA_VERSION = 2;

/**
 * The layout readers (slo-engine, dashboard) rely on. `seq` is the insertion order (poll for
 * `seq > last seen`); `ts` is `@timestamp` in epoch ms; `service` is `service.target.name`
 * (NULL when no route matched); `status`, `outcome`, `duration_ns` (`event.duration`),
 * `termination` and `probe` (0/1) copy their event fields; `domain` (`url.domain`) and `path`
 * (`url.path`) let readers filter by host and path prefix without parsing JSON; `doc` is the
 * whole event as JSON.
 *
 * Version 2 added `domain` and `path`. A version-1 file is migrated when the sink opens it
 * ({@link migrateEmbeddedSchema}): the columns are added and its old rows keep NULL there
 * (no backfill: rewriting every row would hold the proxy's start for as long as the file is
 * big). Readers take `json_extract(doc, '$.url.domain')` / `'$.url.path'` when the column is
 * NULL; the retention removes those rows in time. (A new file has the two columns before `doc`,
 * a migrated one after it: readers name columns, never positions.)
 */
export const EMBEDDED_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS ${EMBEDDED_TABLE} (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  service TEXT,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  duration_ns INTEGER NOT NULL,
  termination TEXT NOT NULL,
  probe INTEGER NOT NULL,
  domain TEXT,
  path TEXT,
  doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lookout_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Indexes, created after the migration (the domain index needs the column). `ts` serves time
 * ranges and the retention; `(service, ts)` and `(domain, ts)` serve SLOs filtered by upstream
 * service or by host. A path prefix is checked on the rows of the range (no index: prefixes
 * are rarely selective and every index costs the writer). Measured with 100k events in
 * 128-event transactions on the shared 2-core machine: 56-64 µs per row for both the version-1
 * layout and this one (the two columns and the domain index are within the noise).
 */
export const EMBEDDED_INDEX_SQL = `
CREATE INDEX IF NOT EXISTS ${EMBEDDED_TABLE}_ts ON ${EMBEDDED_TABLE} (ts);
CREATE INDEX IF NOT EXISTS ${EMBEDDED_TABLE}_service_ts ON ${EMBEDDED_TABLE} (service, ts);
CREATE INDEX IF NOT EXISTS ${EMBEDDED_TABLE}_domain_ts ON ${EMBEDDED_TABLE} (domain, ts);
`;

/** Columns added after version 1, in order, with their SQL type. */
const ADDED_COLUMNS = [
  ['domain', 'TEXT'],
  ['path', 'TEXT'],
] as const;

/**
 * Brings the file at `db` to {@link EMBEDDED_SCHEMA_VERSION}: creates the tables of a new file,
 * adds the version-2 columns to a version-1 table (`ALTER TABLE ... ADD COLUMN`, instant in
 * SQLite whatever the row count), creates the indexes and records the version. One immediate
 * transaction, so two processes opening the same file do not both alter it.
 */
export function migrateEmbeddedSchema(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(EMBEDDED_SCHEMA_SQL);
    const present = new Set((db.prepare(`PRAGMA table_info(${EMBEDDED_TABLE})`).all() as { name: string }[]).map((column) => column.name));
    for (const [name, type] of ADDED_COLUMNS) {
      if (!present.has(name)) db.exec(`ALTER TABLE ${EMBEDDED_TABLE} ADD COLUMN ${name} ${type}`);
    }
    db.exec(EMBEDDED_INDEX_SQL);
    db.prepare(`INSERT OR REPLACE INTO lookout_meta (key, value) VALUES ('schema_version', ?)`).run(String(EMBEDDED_SCHEMA_VERSION));
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** The insert of one event (prepare it once); {@link insertEmbeddedEvent} runs it. */
export const EMBEDDED_INSERT_SQL = `INSERT OR IGNORE INTO ${EMBEDDED_TABLE} (event_id, ts, service, status, outcome, duration_ns, termination, probe, domain, path, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Runs the prepared {@link EMBEDDED_INSERT_SQL} for one event (no intermediate row object). */
export function insertEmbeddedEvent(insert: StatementSync, event: RequestEvent): void {
  insert.run(
    event.event.id,
    Date.parse(event['@timestamp']),
    event.service.target?.name ?? null,
    event.http.response.status_code,
    event.event.outcome,
    event.event.duration,
    event.lookout.termination,
    event.lookout.probe ? 1 : 0,
    event.url.domain,
    event.url.path,
    JSON.stringify(event),
  );
}

/** How often rows past the retention are deleted, and how many per statement / per run. */
const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_CHUNK = 5_000;
const PRUNE_CHUNKS_PER_RUN = 40;

export interface EmbeddedSinkOptions {
  readonly config: EmbeddedSinkConfig;
  readonly counters: TelemetryCounters;
  readonly log: Logger;
}

/**
 * Writes events into a SQLite file with Node's built-in `node:sqlite`: WAL journal, so other
 * processes read while the proxy writes (readers never block the writer, nor it them);
 * `synchronous=NORMAL` (a power loss may lose the last transactions, never corrupts); a 1 MiB
 * page cache (measured +7.5 MiB RSS for the module and 20k rows written). Each batcher chunk
 * (at most 128 events, ~3 ms measured at ~25 µs per row) is one transaction. `INSERT OR
 * IGNORE` on `event_id` makes a repeated event harmless.
 */
export class EmbeddedSink implements TelemetrySink {
  readonly name = 'embedded';
  /** Each chunk is committed as it comes; nothing waits for a timer. */
  readonly flushInterval = 0;
  readonly spoolBytes = 0;
  readonly spoolEvents = 0;
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #prune: StatementSync;
  readonly #retention: number;
  readonly #counters: TelemetryCounters;
  readonly #log: Logger;
  #open = 0;
  #inTransaction = false;
  #pruneTimer: NodeJS.Timeout | undefined;
  #lastErrorLog = -Infinity;
  #closed = false;

  constructor(options: EmbeddedSinkOptions) {
    this.path = options.config.path;
    this.#retention = options.config.retention;
    this.#counters = options.counters;
    this.#log = options.log;
    mkdirSync(dirname(this.path), { recursive: true });
    this.#db = new DatabaseSync(this.path, { timeout: 1_000 });
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -1024;');
    migrateEmbeddedSchema(this.#db);
    this.#insert = this.#db.prepare(EMBEDDED_INSERT_SQL);
    this.#prune = this.#db.prepare(`DELETE FROM ${EMBEDDED_TABLE} WHERE seq IN (SELECT seq FROM ${EMBEDDED_TABLE} WHERE ts < ? ORDER BY ts LIMIT ${PRUNE_CHUNK})`);
  }

  get heldEvents(): number {
    return this.#open;
  }

  async start(): Promise<void> {
    if (this.#retention > 0 && this.#pruneTimer === undefined) {
      this.#pruneTimer = setInterval(() => this.#pruneRun(0), PRUNE_INTERVAL_MS);
      this.#pruneTimer.unref();
    }
    this.#log.info({ path: this.path, retentionMs: this.#retention }, 'telemetry: embedded sink started');
  }

  add(event: RequestEvent): void {
    if (this.#closed) {
      this.#counters.dropped.closed++;
      return;
    }
    try {
      if (!this.#inTransaction) {
        this.#db.exec('BEGIN');
        this.#inTransaction = true;
      }
      insertEmbeddedEvent(this.#insert, event);
      this.#open++;
    } catch (error) {
      this.#fail(error, 1);
    }
  }

  endChunk(): void {
    if (!this.#inTransaction) return;
    try {
      this.#db.exec('COMMIT');
      this.#counters.delivered += this.#open;
    } catch (error) {
      this.#fail(error, 0);
    }
    this.#inTransaction = false;
    this.#open = 0;
  }

  flush(): void {
    this.endChunk();
  }

  async settled(): Promise<void> {
    this.endChunk();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.endChunk();
    this.#closed = true;
    if (this.#pruneTimer !== undefined) clearInterval(this.#pruneTimer);
    this.#db.close();
  }

  /** Rolls the open transaction back: its events (and `extra` more) are dropped, counted, and logged at most once a minute. */
  #fail(error: unknown, extra: number): void {
    const lost = this.#open + extra;
    if (this.#inTransaction) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // no transaction left to roll back (SQLite ended it)
      }
    }
    this.#inTransaction = false;
    this.#open = 0;
    this.#counters.dropped.sink_error += lost;
    const now = Date.now();
    if (now - this.#lastErrorLog >= 60_000) {
      this.#lastErrorLog = now;
      this.#log.error(
        { code: 'LOOKOUT_EMBEDDED_WRITE_FAILED', path: this.path, err: error as Error, events: lost },
        `telemetry: writing to ${this.path} failed, ${lost} events dropped (dropped.sink_error): ${(error as Error).message}`,
      );
    }
  }

  /** Deletes rows older than the retention, a bounded chunk per event-loop turn. */
  #pruneRun(chunk: number): void {
    if (this.#closed) return;
    try {
      const { changes } = this.#prune.run(Date.now() - this.#retention);
      if (Number(changes) === PRUNE_CHUNK && chunk + 1 < PRUNE_CHUNKS_PER_RUN) setImmediate(() => this.#pruneRun(chunk + 1));
    } catch (error) {
      this.#log.warn({ code: 'LOOKOUT_EMBEDDED_WRITE_FAILED', path: this.path, err: error as Error }, `telemetry: pruning ${this.path} failed: ${(error as Error).message}`);
    }
  }
}
