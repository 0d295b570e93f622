import { existsSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { EngineError } from '../engine-error.ts';
import { durationMs, nearestRank } from '../events/nearest-rank.ts';
import {
  BYTE_SERIES,
  LATENCY_PERCENTILES,
  NON_FAILURE_TERMINATIONS,
  STATUS_CLASSES,
  TIMING_PHASES,
  TOP_MEMBERS,
  TOP_URIS,
  bucketSeconds,
  bucketStarts,
  busiestTerminations,
  emptyTraffic,
  seriesWithData,
  type TrafficQuery,
  type TrafficSnapshot,
  type TrafficSource,
  type TrafficStoreState,
} from './traffic-source.ts';

/** The proxy's table (proxy/src/telemetry/embedded-sink.ts, `EMBEDDED_TABLE`). */
const TABLE = 'request_events';

/** Options of {@link SqliteTrafficSource}. */
export interface SqliteTrafficSourceOptions {
  /** The proxy's embedded store: `telemetry.embedded.path` of its config. */
  readonly path: string;
  /** How long a query waits on a lock, ms. Default 1000. */
  readonly busyTimeoutMs?: number;
}

/** A field of the event inside the `doc` JSON column. */
function docField(field: string): string {
  return `json_extract(doc, '$.${field}')`;
}

/** The `percent` percentile (nearest rank, as the SLO engine computes it) of ascending `sorted` ns, in ms; null when empty. */
function percentileMs(sorted: readonly number[], percent: number): number | null {
  return sorted.length === 0 ? null : durationMs(sorted[nearestRank(percent / 100, sorted.length) - 1]!);
}

const SUM_OF_FAILED = `count(*) FILTER (WHERE outcome = 'failure')`;

/** The scratch table of one snapshot: the events of the range, only what the charts read. */
const ROWS = 'traffic_rows';
const ROWS_SQL =
  `CREATE TEMP TABLE IF NOT EXISTS ${ROWS} (b INTEGER, status INTEGER, outcome TEXT, d INTEGER, termination TEXT, path TEXT, ` +
  [...BYTE_SERIES.map((_, i) => `bytes${i}`), ...TIMING_PHASES.map((_, i) => `phase${i}`)].join(', ') +
  ', member TEXT)';
const FAILURE_TERMINATIONS_SQL = NON_FAILURE_TERMINATIONS.map((code) => `'${code}'`).join(', ');

/**
 * The traffic charts from the proxy's embedded SQLite file, read-only (WAL: the proxy keeps
 * writing). Counts and percentiles are exact (nearest rank over the events of each bucket or
 * table row, the SLO engine's rule); status, outcome, duration, termination and probe come from their
 * columns, `url.path` from its column (the JSON for rows of a version-1 file), the rest
 * (bytes, timings, upstream member) from the `doc` JSON. All queries of a snapshot run in one
 * read transaction.
 *
 * No file yet, or no table in it: an empty snapshot whose store state says so.
 */
export class SqliteTrafficSource implements TrafficSource {
  readonly kind = 'embedded' as const;
  readonly location: string;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  #db: DatabaseSync | undefined;
  #pathColumn: string | undefined;
  readonly #statements = new Map<string, StatementSync>();

  constructor(options: SqliteTrafficSourceOptions) {
    this.#path = options.path;
    this.location = options.path;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 1_000;
  }

  async traffic(query: TrafficQuery): Promise<TrafficSnapshot> {
    const db = this.#open();
    if (typeof db === 'string') return emptyTraffic(query, this.#state('not-initialised', db));
    try {
      db.exec('BEGIN');
      try {
        return this.#read(query);
      } finally {
        if (db.isTransaction) db.exec('COMMIT');
      }
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (/no such table/i.test(message)) {
        this.#forget();
        return emptyTraffic(query, this.#state('not-initialised', `the embedded event store ${this.#path} has no ${TABLE} table yet`));
      }
      throw new EngineError('SLO_STORE_QUERY_FAILED', `reading traffic from the embedded event store ${this.#path} failed: ${message}`, { path: this.#path }, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.#forget();
  }

  /**
   * One pass over the events of the range copies what the charts need into a temporary table
   * (the `doc` JSON parsed once per event); every chart then aggregates that narrow table, and
   * one sorted read of its durations gives every percentile. Measured on the shared 2-core
   * machine, 175k events in the range: ~2 s for the copy (the JSON parse is most of it; the
   * columns alone read in ~0.4 s), ~0.4 s for the percentiles (window functions took 0.5 s
   * per chart); 7.5 s before, with a JSON parse per chart and window functions.
   */
  #read(query: TrafficQuery): TrafficSnapshot {
    const step = query.stepMs;
    this.#statement(`DELETE FROM temp.${ROWS}`).run();
    this.#statement(
      `INSERT INTO temp.${ROWS} SELECT ts / ${step}, status, outcome, duration_ns, termination, ${this.#pathColumn}, ` +
        [...BYTE_SERIES, ...TIMING_PHASES].map((one) => docField(one.field)).join(', ') +
        `, ${docField('lookout.upstream.member')} FROM ${TABLE} WHERE ts >= ? AND ts < ? AND probe = 0`,
    ).run(query.from, query.to);

    const perBucket = this.#statement(
      `SELECT b, count(*) AS n, ${SUM_OF_FAILED} AS failed, ` +
        STATUS_CLASSES.map((status, i) => `count(*) FILTER (WHERE status >= ${status.from} AND status < ${status.to}) AS c${i}`).join(', ') +
        ', ' +
        BYTE_SERIES.map((_, i) => `sum(bytes${i}) AS bytes${i}`).join(', ') +
        ', ' +
        TIMING_PHASES.map((_, i) => `avg(phase${i}) AS phase${i}`).join(', ') +
        ` FROM temp.${ROWS} GROUP BY b`,
    ).all() as Record<string, number | null>[];
    const total = perBucket.reduce((sum, row) => sum + (row.n ?? 0), 0);
    if (total === 0) return emptyTraffic(query, this.#state('ok'));

    const starts = bucketStarts(query);
    const index = new Map(starts.map((start, i) => [start / step, i]));
    const series = (label: string, fill: number | null): { label: string; values: (number | null)[] } => ({ label, values: starts.map(() => fill) });
    const rate = series('Requests per second', 0);
    const classes = STATUS_CLASSES.map((status) => series(status.label, 0));
    const bytes = BYTE_SERIES.map((one) => series(one.label, null));
    const phases = TIMING_PHASES.map((phase) => series(phase.label, null));
    let failed = 0;
    for (const row of perBucket) {
      const i = index.get(row.b!);
      if (i === undefined) continue;
      failed += row.failed ?? 0;
      rate.values[i] = (row.n ?? 0) / bucketSeconds(query, starts[i]!);
      classes.forEach((one, c) => (one.values[i] = row[`c${c}`] ?? 0));
      bytes.forEach((one, c) => (one.values[i] = row[`bytes${c}`] ?? null));
      phases.forEach((one, c) => (one.values[i] = row[`phase${c}`] ?? null));
    }

    const byTermination = new Map<string, { label: string; values: (number | null)[] }>();
    const terminationRows = this.#statement(
      `SELECT b, termination AS t, count(*) AS n FROM temp.${ROWS} WHERE termination NOT IN (${FAILURE_TERMINATIONS_SQL}) GROUP BY b, t`,
    ).all() as { b: number; t: string; n: number }[];
    for (const row of terminationRows) {
      const i = index.get(row.b);
      if (i === undefined) continue;
      let one = byTermination.get(row.t);
      if (one === undefined) byTermination.set(row.t, (one = series(row.t, 0)));
      one.values[i] = row.n;
    }

    const uris = this.#busiest('path', 'bytes1', TOP_URIS);
    const members = this.#busiest('member', 'phase1', TOP_MEMBERS);

    // Exact percentiles (nearest rank): one pass over the durations in ascending order fills
    // each bucket's and each table row's sorted list.
    const bucketDurations = starts.map((): number[] => []);
    const uriDurations = new Map(uris.map((row) => [row.k, [] as number[]]));
    const memberDurations = new Map(members.map((row) => [row.k, [] as number[]]));
    const durations = this.#statement(`SELECT b, d, path, member FROM temp.${ROWS} ORDER BY d`);
    durations.setReturnArrays(true);
    for (const row of durations.iterate() as Iterable<[number, number, string | null, string | null]>) {
      const [b, d, path, member] = row;
      bucketDurations[index.get(b) ?? -1]?.push(d);
      if (path !== null) uriDurations.get(path)?.push(d);
      if (member !== null) memberDurations.get(member)?.push(d);
    }
    const latency = LATENCY_PERCENTILES.map((percent) => ({ label: `p${percent}`, values: bucketDurations.map((sorted) => percentileMs(sorted, percent)) }));

    return {
      from: query.from,
      to: query.to,
      stepMs: step,
      store: this.#state('ok'),
      total,
      failed,
      time: starts,
      rate: [rate],
      latency: seriesWithData(latency),
      statusClasses: seriesWithData(classes, true),
      terminations: busiestTerminations([...byTermination.values()]),
      bytes: seriesWithData(bytes),
      phases: seriesWithData(phases),
      topUris: uris.map((row) => ({ path: row.k, requests: row.n, failures: row.failed, p95Ms: percentileMs(uriDurations.get(row.k)!, 95), averageResponseBytes: row.avg })),
      members: members.map((row) => ({ member: row.k, requests: row.n, failures: row.failed, p95Ms: percentileMs(memberDurations.get(row.k)!, 95), averageConnectMs: row.avg })),
    };
  }

  /** The `limit` busiest values of column `key` with their count, failures and the average of column `averaged`. */
  #busiest(key: 'path' | 'member', averaged: string, limit: number): { k: string; n: number; failed: number; avg: number | null }[] {
    return this.#statement(
      `SELECT ${key} AS k, count(*) AS n, ${SUM_OF_FAILED} AS failed, avg(${averaged}) AS avg FROM temp.${ROWS} WHERE ${key} IS NOT NULL GROUP BY k ORDER BY n DESC, k LIMIT ${limit}`,
    ).all() as { k: string; n: number; failed: number; avg: number | null }[];
  }

  /** The open database, or why there is none yet. */
  #open(): DatabaseSync | string {
    if (this.#db !== undefined && this.#pathColumn !== undefined) return this.#db;
    if (!existsSync(this.#path)) return `no embedded event store at ${this.#path} yet: the proxy creates it when it starts with telemetry.sink "embedded"`;
    try {
      this.#db ??= new DatabaseSync(this.#path, { readOnly: true, timeout: this.#busyTimeoutMs });
    } catch (error) {
      throw new EngineError('SLO_STORE_UNREACHABLE', `cannot open the embedded event store ${this.#path}: ${(error as Error).message}`, { path: this.#path }, { cause: error });
    }
    let columns: { name: string }[];
    try {
      columns = this.#db.prepare(`PRAGMA table_info(${TABLE})`).all() as { name: string }[];
    } catch (error) {
      this.#forget();
      throw new EngineError('SLO_STORE_UNREACHABLE', `cannot read the embedded event store ${this.#path}: ${(error as Error).message}`, { path: this.#path }, { cause: error });
    }
    if (columns.length === 0) return `the embedded event store ${this.#path} has no ${TABLE} table yet`;
    // The connection's own scratch table (the temp schema is writable on a read-only connection).
    this.#db.exec(ROWS_SQL);
    // Version 2 of the layout has a `path` column; rows a version-1 proxy wrote keep NULL there.
    this.#pathColumn = columns.some((column) => column.name === 'path') ? `coalesce(path, ${docField('url.path')})` : docField('url.path');
    return this.#db;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db!.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #forget(): void {
    this.#statements.clear();
    this.#db?.close();
    this.#db = undefined;
    this.#pathColumn = undefined;
  }

  #state(state: TrafficStoreState['state'], message?: string): TrafficStoreState {
    return { kind: this.kind, location: this.location, state, ...(message !== undefined && { message }) };
  }
}
