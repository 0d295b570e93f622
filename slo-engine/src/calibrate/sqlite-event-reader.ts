import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { TerminationCode } from '@lookout/telemetry';
import { CalibrateError } from './calibrate-error.ts';
import { blankRunEvent, type EventRange, type RunEvent, type RunEventReader } from './run-event.ts';

/** Table the proxy's embedded sink writes (proxy/src/telemetry/embedded-sink.ts). */
const TABLE = 'request_events';

// The sink's columns hold the SLI fields; the rest comes from the event's JSON (`doc`) through
// SQLite's json_extract, so no event is parsed in JavaScript.
const SELECT = `SELECT ts, duration_ns, status, termination, probe, service,
  json_extract(doc, '$.url.domain') AS domain,
  json_extract(doc, '$.url.path') AS path,
  json_extract(doc, '$.lookout.timing.connect_ms') AS connect_ms,
  json_extract(doc, '$.lookout.timing.upstream_last_byte_ms') AS upstream_last_byte_ms
  FROM ${TABLE} WHERE ts >= ? AND ts < ? ORDER BY ts, seq`;

interface Row {
  ts: number;
  duration_ns: number;
  status: number;
  termination: string;
  probe: number;
  service: string | null;
  domain: string | null;
  path: string | null;
  connect_ms: number | null;
  upstream_last_byte_ms: number | null;
}

/**
 * Reads events from the proxy's embedded store (a SQLite file), read-only: the proxy may still
 * be writing it (WAL mode lets both work).
 */
export class SqliteEventReader implements RunEventReader {
  readonly location: string;
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.location = path;
    if (!existsSync(path)) {
      throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${path}: no such file (the proxy's telemetry.embedded.path, or an Elasticsearch URL)`);
    }
    try {
      this.#db = new DatabaseSync(path, { readOnly: true, timeout: 5_000 });
      const table = this.#db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(TABLE);
      if (table === undefined) {
        throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${path}: not a lookout telemetry file (no ${TABLE} table)`);
      }
    } catch (error) {
      if (error instanceof CalibrateError) throw error;
      throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${path}: cannot open it as SQLite: ${(error as Error).message}`, { cause: error });
    }
  }

  async count(range: EventRange): Promise<number> {
    const row = this.#query(() => this.#db.prepare(`SELECT count(*) AS n FROM ${TABLE} WHERE ts >= ? AND ts < ?`).get(range.from, range.to)) as { n: number };
    return Number(row.n);
  }

  async read(range: EventRange, onEvent: (event: RunEvent) => void): Promise<void> {
    const event = blankRunEvent();
    const statement = this.#query(() => this.#db.prepare(SELECT));
    let inCallback = false;
    try {
      for (const raw of statement.iterate(range.from, range.to)) {
        const row = raw as unknown as Row;
        event.ts = Number(row.ts);
        event.durationNs = Number(row.duration_ns);
        event.status = Number(row.status);
        event.termination = row.termination as TerminationCode;
        event.probe = Number(row.probe) === 1;
        event.service = row.service;
        event.domain = row.domain ?? '';
        event.path = row.path ?? '';
        event.connectMs = row.connect_ms;
        event.upstreamLastByteMs = row.upstream_last_byte_ms;
        inCallback = true;
        onEvent(event);
        inCallback = false;
      }
    } catch (error) {
      if (inCallback) throw error;
      throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${this.location}: reading failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #query<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof CalibrateError) throw error;
      throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${this.location}: query failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
