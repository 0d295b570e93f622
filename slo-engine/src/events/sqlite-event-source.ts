import { existsSync } from 'node:fs';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { EngineError } from '../engine-error.ts';
import type { BudgetIndicator, SloFilter, ThresholdIndicator } from '../model/slo.ts';
import type { GoodTotal } from '../sli/level.ts';
import type { EventSource, EventTargets, MinuteCount, ThresholdResult, TimeRange } from './event-source.ts';
import { UNAVAILABLE_TERMINATIONS, latencyLimitNs } from './good-event-rule.ts';
import { assertMinuteAligned, MINUTE_MS } from './minute.ts';
import { PERCENTILE_FRACTIONS, durationMs, nearestRank } from './nearest-rank.ts';

/** The proxy's table (proxy/src/telemetry/embedded-sink.ts, `EMBEDDED_TABLE`). */
const TABLE = 'request_events';

/** Options of {@link SqliteEventSource}. */
export interface SqliteEventSourceOptions {
  /** The proxy's embedded store: `telemetry.embedded.path` of its config. */
  readonly path: string;
  /** How long a query waits on a lock, ms (readers rarely wait in WAL mode). Default 1000. */
  readonly busyTimeoutMs?: number;
}

/** Which version of the proxy's layout the file has: version 2 added `domain` and `path`. */
interface Layout {
  readonly hasDomain: boolean;
  readonly hasPath: boolean;
}

/** A WHERE clause with its positional parameters. */
interface Clause {
  readonly sql: string;
  readonly params: SQLInputValue[];
}

/** `status < 500` and no failing termination: `isAvailable` as SQL (see good-event-rule.ts). */
const AVAILABLE_SQL = `(status < 500 AND termination NOT IN (${UNAVAILABLE_TERMINATIONS.map((code) => `'${code.replaceAll("'", "''")}'`).join(', ')}))`;

/**
 * The proxy's embedded SQLite store as an {@link EventSource}. Opens the file read-only with
 * `node:sqlite` (WAL: it reads while the proxy writes, neither blocks the other), lazily, so the
 * engine may start before the proxy has created the file; until then every call throws
 * `SLO_STORE_NOT_INITIALISED` naming the path.
 *
 * Reads both layouts of the file: version 2 filters on the `domain` / `path` columns, and on
 * `json_extract(doc, ...)` for rows a version-1 proxy wrote (NULL there); version 1 on the JSON
 * only. Queries that read several times (percentiles, several ranges) run in one read
 * transaction, so they see one snapshot of the file.
 *
 * @example
 * const source = new SqliteEventSource({ path: 'data/telemetry.sqlite' });
 * await source.countGoodTotal({ service: 'orders' }, { type: 'latency', thresholdMs: 137 }, { from, to });
 */
export class SqliteEventSource implements EventSource {
  readonly kind = 'embedded' as const;
  readonly location: string;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  #db: DatabaseSync | undefined;
  #layout: Layout | undefined;
  readonly #statements = new Map<string, StatementSync>();

  constructor(options: SqliteEventSourceOptions) {
    this.#path = options.path;
    this.location = options.path;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 1_000;
  }

  async countGoodTotal(filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): Promise<GoodTotal> {
    const [counts] = await this.countGoodTotalRanges(filter, indicator, [range]);
    return counts!;
  }

  async countGoodTotalRanges(filter: SloFilter, indicator: BudgetIndicator, ranges: readonly TimeRange[]): Promise<GoodTotal[]> {
    return this.#read(() => {
      const population = this.#population(filter);
      const good = this.#good(indicator);
      const statement = this.#statement(`SELECT count(*) AS total, count(*) FILTER (WHERE ${good.sql}) AS good FROM ${TABLE} WHERE ts >= ? AND ts < ? AND ${population.sql}`);
      return ranges.map((range) => {
        const row = statement.get(...good.params, range.from, range.to, ...population.params) as { total: number; good: number };
        return { good: row.good, total: row.total };
      });
    });
  }

  async countPerMinute(filter: SloFilter, indicator: BudgetIndicator, range: TimeRange): Promise<MinuteCount[]> {
    assertMinuteAligned(range);
    return this.#read(() => {
      const population = this.#population(filter);
      const good = this.#good(indicator);
      const statement = this.#statement(
        `SELECT ts / ${MINUTE_MS} AS m, count(*) AS total, count(*) FILTER (WHERE ${good.sql}) AS good FROM ${TABLE} ` +
          `WHERE ts >= ? AND ts < ? AND ${population.sql} GROUP BY m ORDER BY m`,
      );
      const rows = statement.all(...good.params, range.from, range.to, ...population.params) as { m: number; total: number; good: number }[];
      return rows.map((row) => ({ minute: row.m * MINUTE_MS, good: row.good, total: row.total }));
    });
  }

  async thresholdSli(filter: SloFilter, indicator: ThresholdIndicator, range: TimeRange): Promise<ThresholdResult> {
    if (indicator.metric === 'error-rate') {
      const counts = await this.countGoodTotal(filter, { type: 'availability' }, range);
      return { sli: counts.total === 0 ? undefined : (counts.total - counts.good) / counts.total, total: counts.total };
    }
    const fraction = PERCENTILE_FRACTIONS[indicator.metric];
    return this.#read(() => {
      const population = this.#population(filter);
      const where = `WHERE ts >= ? AND ts < ? AND ${population.sql}`;
      const params = [range.from, range.to, ...population.params];
      const { total } = this.#statement(`SELECT count(*) AS total FROM ${TABLE} ${where}`).get(...params) as { total: number };
      if (total === 0) return { sli: undefined, total };
      const rank = nearestRank(fraction, total);
      const row = this.#statement(`SELECT duration_ns FROM ${TABLE} ${where} ORDER BY duration_ns LIMIT 1 OFFSET ?`).get(...params, rank - 1) as { duration_ns: number };
      return { sli: durationMs(row.duration_ns), total };
    });
  }

  async targets(range: TimeRange): Promise<EventTargets> {
    return this.#read(() => {
      const services = this.#statement(`SELECT DISTINCT service AS value FROM ${TABLE} WHERE ts >= ? AND ts < ? AND service IS NOT NULL`).all(range.from, range.to) as { value: string }[];
      const hosts = this.#statement(`SELECT DISTINCT ${this.#domainValue()} AS value FROM ${TABLE} WHERE ts >= ? AND ts < ?`).all(range.from, range.to) as { value: string | null }[];
      return {
        services: services.map((row) => row.value).sort(),
        hosts: hosts.flatMap((row) => (row.value === null ? [] : [row.value])).sort(),
      };
    });
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.#db?.close();
    this.#db = undefined;
    this.#layout = undefined;
  }

  /** Runs `read` in one read transaction on the open file, mapping SQLite errors to EngineErrors. */
  #read<T>(read: () => T): T {
    const db = this.#open();
    try {
      db.exec('BEGIN');
      try {
        return read();
      } finally {
        if (db.isTransaction) db.exec('COMMIT');
      }
    } catch (error) {
      throw this.#queryError(error);
    }
  }

  /** The open database, opening it (and learning its layout) on first use. */
  #open(): DatabaseSync {
    if (this.#db !== undefined && this.#layout !== undefined) return this.#db;
    if (!existsSync(this.#path)) {
      throw new EngineError('SLO_STORE_NOT_INITIALISED', `no embedded event store at ${this.#path}: the proxy creates it when it starts with telemetry.sink "embedded"`, { path: this.#path });
    }
    let db: DatabaseSync;
    try {
      db = this.#db ?? new DatabaseSync(this.#path, { readOnly: true, timeout: this.#busyTimeoutMs });
    } catch (error) {
      throw new EngineError('SLO_STORE_UNREACHABLE', `cannot open the embedded event store ${this.#path}: ${(error as Error).message}`, { path: this.#path }, { cause: error });
    }
    this.#db = db;
    let columns: { name: string }[];
    try {
      columns = db.prepare(`PRAGMA table_info(${TABLE})`).all() as { name: string }[];
    } catch (error) {
      this.#db = undefined;
      db.close();
      throw new EngineError('SLO_STORE_UNREACHABLE', `cannot read the embedded event store ${this.#path}: ${(error as Error).message}`, { path: this.#path }, { cause: error });
    }
    if (columns.length === 0) {
      throw new EngineError('SLO_STORE_NOT_INITIALISED', `the embedded event store ${this.#path} has no ${TABLE} table yet`, { path: this.#path, table: TABLE });
    }
    const names = new Set(columns.map((column) => column.name));
    this.#layout = { hasDomain: names.has('domain'), hasPath: names.has('path') };
    return db;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db!.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The filter as SQL over the rows of a range, probes excluded (`countsFor` of sli/level.ts). */
  #population(filter: SloFilter): Clause {
    const layout = this.#layout!;
    const parts = ['probe = 0'];
    const params: SQLInputValue[] = [];
    if (filter.service !== undefined) {
      parts.push('service = ?');
      params.push(filter.service);
    }
    if (filter.host !== undefined) {
      if (layout.hasDomain) {
        // Index-friendly on version-2 rows; the JSON only for rows a version-1 proxy wrote.
        parts.push(`(domain = ? OR (domain IS NULL AND json_extract(doc, '$.url.domain') = ?))`);
        params.push(filter.host, filter.host);
      } else {
        parts.push(`json_extract(doc, '$.url.domain') = ?`);
        params.push(filter.host);
      }
    }
    if (filter.pathPrefix !== undefined && filter.pathPrefix !== '') {
      // substr counts characters (code points), so the length is the prefix's code points.
      const path = layout.hasPath ? `coalesce(path, json_extract(doc, '$.url.path'))` : `json_extract(doc, '$.url.path')`;
      parts.push(`substr(${path}, 1, ?) = ?`);
      params.push([...filter.pathPrefix].length, filter.pathPrefix);
    }
    return { sql: parts.join(' AND '), params };
  }

  /** "Good" of a budget indicator as SQL (`isAvailable` / `isFastEnough`). */
  #good(indicator: BudgetIndicator): Clause {
    if (indicator.type === 'availability') return { sql: AVAILABLE_SQL, params: [] };
    return { sql: 'duration_ns <= ?', params: [latencyLimitNs(indicator.thresholdMs)] };
  }

  #domainValue(): string {
    return this.#layout!.hasDomain ? `coalesce(domain, json_extract(doc, '$.url.domain'))` : `json_extract(doc, '$.url.domain')`;
  }

  #queryError(error: unknown): EngineError {
    if (error instanceof EngineError) return error;
    const message = (error as Error).message ?? String(error);
    if (/no such table/i.test(message)) {
      return new EngineError('SLO_STORE_NOT_INITIALISED', `the embedded event store ${this.#path} has no ${TABLE} table: ${message}`, { path: this.#path, table: TABLE }, { cause: error });
    }
    return new EngineError('SLO_STORE_QUERY_FAILED', `query on the embedded event store ${this.#path} failed: ${message}`, { path: this.#path }, { cause: error });
  }
}
