import type { RequestEvent } from '@lookout/telemetry';
import type { Logger } from '../log.ts';
import { Backoff } from './backoff.ts';
import { bulkPair, pairBounds, pairDocument, pairId, selectPairs } from './bulk-body.ts';
import { BULK_FILTER_PATH, requestFailureReason, sortBulkItems, type RejectedDocument } from './bulk-response.ts';
import { connectionFailureReason, describeConnectionError, ElasticsearchConnection, type EsAuth } from './elasticsearch-connection.ts';
import { describeEsErrorBody } from './elasticsearch-error.ts';
import { BufferPool } from './buffer-pool.ts';
import { DiskSpool, type SpoolChunk } from './disk-spool.ts';
import { setUpIndex } from './index-setup.ts';
import type { ElasticsearchSinkConfig, SpoolConfig } from './telemetry-config.ts';
import type { FailureReason, TelemetryCounters } from './telemetry-counters.ts';
import { TelemetryError, type TelemetryErrorCode } from './telemetry-errors.ts';
import type { TelemetrySink } from './telemetry-sink.ts';

/** Events in the first replay request after a failure: a cheap probe before full batches. */
export const PROBE_EVENTS = 50;
/** Upper bound of one replay request's body (a batch read back from the spool). */
export const MAX_REPLAY_BYTES = 8 * 1024 * 1024;
/** At most one log line per this many ms about rejected documents (the rest are counted). */
export const REJECTION_LOG_INTERVAL_MS = 60_000;

const PROBLEM_CODES: Record<FailureReason, TelemetryErrorCode> = {
  unreachable: 'LOOKOUT_ES_UNREACHABLE',
  timeout: 'LOOKOUT_ES_TIMEOUT',
  auth: 'LOOKOUT_ES_UNAUTHORIZED',
  throttled: 'LOOKOUT_ES_THROTTLED',
  server: 'LOOKOUT_ES_SERVER_ERROR',
  mapping: 'LOOKOUT_ES_MAPPING_CONFLICT',
  setup: 'LOOKOUT_ES_TARGET_MISSING',
  backpressure: 'LOOKOUT_ES_BACKPRESSURE',
};
/** Problems an operator must fix (logged as errors); the others heal by themselves (warnings). */
const OPERATOR_PROBLEMS: ReadonlySet<FailureReason> = new Set(['auth', 'mapping', 'setup']);

interface Batch {
  readonly body: Buffer;
  readonly count: number;
  /** Spooled by close() while still in flight: its late result changes nothing. */
  abandoned: boolean;
  /** The pooled Buffer under `body`, back to the pool once nobody holds the batch. */
  readonly owner: Buffer | undefined;
  /** Holders: the sealing call, the pending list, the request in flight, spool writes. */
  refs: number;
}

/** Bytes per event reserved when sizing batch buffers (events measured ~1.6 KB as bulk pairs). */
const BYTES_PER_EVENT = 2048;

/** A bulk attempt's result: per-document outcome, or the whole request failed. */
type Attempt =
  | { readonly ok: true; readonly delivered: number; readonly rejected: RejectedDocument[]; readonly retry: number[]; readonly reason: FailureReason | undefined; readonly detail: string; readonly bounds: number[] }
  | { readonly ok: false; readonly reason: FailureReason; readonly detail: string };

export interface ElasticsearchSinkOptions {
  readonly config: ElasticsearchSinkConfig;
  readonly spool: SpoolConfig;
  readonly counters: TelemetryCounters;
  readonly log: Logger;
  /** Credentials from the environment (`LOOKOUT_ES_USERNAME`, `LOOKOUT_ES_PASSWORD`, `LOOKOUT_ES_API_KEY`) fill what the config lacks. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Delivers events to Elasticsearch with `_bulk` `create` actions, `_id = event.id` (a 409 is
 * a duplicate of a delivered event, so replays are idempotent).
 *
 * Direct mode: a sealed batch (`batchSize` events, or whatever `flushInterval` found) is sent
 * at once, one request at a time with up to `maxPendingBatches` waiting. Any failure moves the
 * sink to spool mode: the failed documents, the waiting batches and every later batch go to the
 * disk spool, and a replay loop sends the spool in order, waiting a jittered exponential backoff
 * after each failure (the first request after a failure is a small probe). Once the spool is
 * empty the sink is back to direct mode. Documents that break the event contract (400) are
 * dropped and counted; documents refused by a wrong mapping are kept (see `sortBulkItems`).
 *
 * Each change of trouble is logged once (code, reason, what happens to the events); every
 * failed attempt is counted in `counters.failures`.
 */
export class ElasticsearchSink implements TelemetrySink {
  readonly name = 'elasticsearch';
  readonly flushInterval: number;
  readonly #config: ElasticsearchSinkConfig;
  readonly #spoolConfig: SpoolConfig;
  readonly #counters: TelemetryCounters;
  readonly #log: Logger;
  readonly #es: ElasticsearchConnection;
  readonly #bulkPath: string;
  readonly #backoff: Backoff;
  #spool: DiskSpool | undefined;
  #ready: Promise<void> | undefined;
  /** Batches that must be spooled before the spool is open. */
  #awaitingSpool: Batch[] = [];
  /** Opening the spool was tried (so an undefined `#spool` means it failed). */
  #spoolOpened = false;
  readonly #buffers: BufferPool;
  #buffer: Buffer;
  #length = 0;
  #count = 0;
  #mode: 'direct' | 'spooling' = 'direct';
  #inFlight: Batch | undefined;
  #inFlightDone: Promise<void> | undefined;
  #pending: Batch[] = [];
  #replaying: Promise<void> | undefined;
  #replayedThisRound = 0;
  #wake: (() => void) | undefined;
  #problem: FailureReason | undefined;
  #setup: 'pending' | 'done' | 'rejected';
  /** The last setup refusal logged (each distinct one is logged once). */
  #setupError: string | undefined;
  #closing = false;
  #rejectLoggedAt = -Infinity;
  #rejectSuppressed = 0;

  constructor(options: ElasticsearchSinkOptions) {
    const config = options.config;
    this.#config = config;
    this.#spoolConfig = options.spool;
    this.#counters = options.counters;
    this.#log = options.log;
    this.flushInterval = config.flushInterval;
    this.#es = new ElasticsearchConnection({
      node: config.node,
      auth: resolveAuth(config, options.env ?? process.env),
      requestTimeout: config.requestTimeout,
      connectTimeout: config.connectTimeout,
      tls: config.tls,
    });
    const requireTarget = config.template === 'portable' ? '&require_alias=true' : config.template === 'production' ? '&require_data_stream=true' : '';
    this.#bulkPath = `/${encodeURIComponent(config.index)}/_bulk?filter_path=${BULK_FILTER_PATH}${requireTarget}`;
    this.#backoff = new Backoff(config.backoff.min, config.backoff.max);
    this.#setup = config.template === 'none' ? 'done' : 'pending';
    // The batch being filled, one in flight, `maxPendingBatches` waiting, one being spooled.
    this.#buffers = new BufferPool(Math.min(config.batchSize * BYTES_PER_EVENT, 16 * 1024 * 1024), config.maxPendingBatches + 3);
    this.#buffer = this.#buffers.take();
  }

  get spoolBytes(): number {
    return this.#spool?.bytes ?? 0;
  }

  get spoolEvents(): number {
    return this.#spool?.events ?? 0;
  }

  get heldEvents(): number {
    let held = this.#count + (this.#inFlight?.count ?? 0);
    for (const batch of this.#pending) held += batch.count;
    for (const batch of this.#awaitingSpool) held += batch.count;
    return held;
  }

  /** Opens the spool, tries the index setup once, starts replaying a spool left by an earlier run. */
  start(): Promise<void> {
    this.#ready ??= this.#start();
    return this.#ready;
  }

  async #start(): Promise<void> {
    try {
      this.#spool = await DiskSpool.open(
        {
          directory: this.#spoolConfig.directory,
          maxBytes: this.#spoolConfig.maxBytes,
          segmentBytes: this.#spoolConfig.segmentBytes,
          whenFull: this.#spoolConfig.whenFull,
          fsyncInterval: this.#spoolConfig.fsyncInterval,
        },
        this.#counters,
        this.#log,
      );
    } catch (error) {
      const code = (error as TelemetryError).code ?? 'LOOKOUT_SPOOL_UNAVAILABLE';
      this.#log.error({ code, err: error as Error }, `telemetry spool unusable, events that Elasticsearch does not take now are dropped (dropped.spool_error): ${(error as Error).message}`);
    }
    this.#spoolOpened = true;
    const waiting = this.#awaitingSpool;
    this.#awaitingSpool = [];
    for (const batch of waiting) {
      this.#toSpool(batch);
      this.#release(batch);
    }
    if (this.#spool !== undefined && this.#spool.events > 0) this.#enterSpooling();
    if (this.#setup !== 'done') {
      const failure = await this.#ensureSetup();
      if (failure !== undefined) this.#reportProblem(failure.reason, failure.detail);
    }
    this.#log.info(
      { node: this.#es.node, index: this.#config.index, template: this.#config.template, spool: this.#spool?.path, spooledEvents: this.spoolEvents },
      'telemetry: elasticsearch sink started',
    );
  }

  add(event: RequestEvent): void {
    const text = bulkPair(event);
    const room = this.#buffer.length - this.#length;
    if (text.length * 3 > room) {
      const bytes = Buffer.byteLength(text);
      if (bytes > room) this.#grow(bytes);
    }
    this.#length += this.#buffer.write(text, this.#length);
    if (++this.#count >= this.#config.batchSize) this.#seal();
  }

  endChunk(): void {}

  flush(): void {
    if (this.#count > 0) this.#seal();
  }

  async settled(): Promise<void> {
    for (let guard = 0; guard < 1_000_000 && (this.#inFlight !== undefined || this.#pending.length > 0 || this.#awaitingSpool.length > 0); guard++) {
      await (this.#inFlightDone ?? this.#ready ?? Promise.resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.#spool?.written();
  }

  async close(deadline: number): Promise<void> {
    this.flush();
    await this.start();
    // Give direct sends until the deadline; then whatever is still out goes to the spool.
    for (let guard = 0; guard < 10_000 && (this.#inFlight !== undefined || this.#pending.length > 0) && Date.now() < deadline; guard++) {
      await untilDeadline(this.#inFlightDone, deadline);
    }
    this.#closing = true;
    this.#wake?.();
    const inFlight = this.#inFlight;
    const leftovers = inFlight === undefined || inFlight.abandoned ? this.#pending : [inFlight, ...this.#pending];
    this.#pending = [];
    for (const batch of leftovers) {
      batch.abandoned = true;
      this.#toSpool(batch);
    }
    for (const batch of leftovers) if (batch !== inFlight) this.#release(batch); // the pending list's hold
    if (this.#replaying !== undefined) await untilDeadline(this.#replaying, deadline);
    await this.#spool?.close();
    this.#log.info(
      { delivered: this.#counters.delivered, spooledEvents: this.spoolEvents, spool: this.#spool?.path },
      this.spoolEvents > 0 ? `telemetry: closed; ${this.spoolEvents} events stay in the spool for the next start` : 'telemetry: closed; nothing left in the spool',
    );
    await this.#es.destroy();
  }

  #seal(): void {
    this.endChunk();
    const batch: Batch = { body: this.#buffer.subarray(0, this.#length), count: this.#count, abandoned: false, owner: this.#buffer, refs: 1 };
    this.#buffer = this.#buffers.take();
    this.#length = 0;
    this.#count = 0;
    if (this.#mode === 'spooling' || this.#closing) this.#toSpool(batch);
    else if (this.#inFlight === undefined) this.#send(batch);
    else if (this.#pending.length < this.#config.maxPendingBatches) {
      batch.refs++;
      this.#pending.push(batch);
    } else {
      // Too slow: the batch in flight is spooled too, first, so the spool keeps emit order; its
      // late answer is ignored (the replay sends it again, a 409 if it had arrived).
      this.#reportProblem('backpressure', `a bulk request has been in flight while ${this.#pending.length + 1} more batches are ready`);
      const inFlight = this.#inFlight;
      inFlight.abandoned = true;
      this.#toSpool(inFlight);
      this.#enterSpooling();
      this.#toSpool(batch);
    }
    this.#release(batch);
  }

  /** Grows the batch being filled so that `bytes` more fit. */
  #grow(bytes: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(bigger, 0, 0, this.#length);
    this.#buffer = bigger;
  }

  #release(batch: Batch): void {
    if (--batch.refs === 0 && batch.owner !== undefined) this.#buffers.give(batch.owner);
  }

  #send(batch: Batch): void {
    batch.refs++;
    this.#inFlight = batch;
    this.#inFlightDone = this.#deliver(batch).finally(() => {
      if (this.#inFlight === batch) this.#inFlight = undefined;
      this.#release(batch);
      const next = this.#mode === 'direct' && !this.#closing ? this.#pending.shift() : undefined;
      if (next !== undefined) {
        this.#send(next);
        this.#release(next); // the pending list's hold
      }
    });
  }

  async #deliver(batch: Batch): Promise<void> {
    await this.start();
    const attempt = await this.#attempt(batch.body, batch.count);
    if (batch.abandoned) return;
    // The failed events go to the spool before the batches waiting behind them (order kept).
    if (!attempt.ok) {
      this.#reportProblem(attempt.reason, attempt.detail);
      this.#toSpool(batch);
      this.#enterSpooling();
      return;
    }
    this.#counters.delivered += attempt.delivered;
    this.#dropRejected(batch.body, attempt.bounds, attempt.rejected);
    if (attempt.retry.length > 0) {
      this.#reportProblem(attempt.reason!, attempt.detail);
      this.#toSpool({ body: selectPairs(batch.body, attempt.bounds, attempt.retry), count: attempt.retry.length, abandoned: false, owner: undefined, refs: 1 });
      this.#enterSpooling();
    }
  }

  /** Spool mode: waiting batches go to the spool, and the replay loop runs. */
  #enterSpooling(): void {
    if (this.#mode !== 'spooling') {
      this.#mode = 'spooling';
      this.#replayedThisRound = 0;
      const pending = this.#pending;
      this.#pending = [];
      for (const batch of pending) {
        this.#toSpool(batch);
        this.#release(batch);
      }
    }
    if (this.#replaying === undefined && !this.#closing) {
      this.#replaying = this.#replay().finally(() => (this.#replaying = undefined));
    }
  }

  #toSpool(batch: Batch): void {
    if (this.#spool !== undefined) {
      batch.refs++;
      this.#spool.append(batch.body, batch.count, () => this.#release(batch));
    } else if (this.#spoolOpened) this.#counters.dropped.spool_error += batch.count;
    else {
      batch.refs++;
      this.#awaitingSpool.push(batch);
    }
  }

  async #replay(): Promise<void> {
    await this.start();
    let current: { chunk: SpoolChunk; body: Buffer; events: number } | undefined;
    let probing = this.#problem !== undefined;
    if (probing) await this.#pause();
    for (let guard = 0; !this.#closing && guard < Number.MAX_SAFE_INTEGER; guard++) {
      if (this.#inFlight !== undefined && !this.#inFlight.abandoned) await this.#inFlightDone;
      const spool = this.#spool;
      if (spool === undefined) {
        this.#mode = 'direct';
        return;
      }
      if (current === undefined) {
        const chunk = await spool.read(probing ? PROBE_EVENTS : this.#config.batchSize, MAX_REPLAY_BYTES);
        if (this.#closing) {
          if (chunk !== undefined) spool.release(chunk, chunk.events);
          return;
        }
        if (chunk === undefined) {
          await spool.written();
          if (spool.events === 0 && this.#inFlight !== undefined) {
            await this.#inFlightDone; // an abandoned batch: wait for it before going direct
            continue;
          }
          if (spool.events === 0) {
            this.#mode = 'direct';
            spool.compact();
            if (this.#replayedThisRound > 0) {
              this.#log.info({ replayed: this.#replayedThisRound, replayedTotal: this.#counters.replayed }, `telemetry: spool replayed (${this.#replayedThisRound} events), delivering directly again`);
            }
            return;
          }
          await sleep(10); // spooled events still being written
          continue;
        }
        current = { chunk, body: chunk.body, events: chunk.events };
      }
      const attempt = await this.#attempt(current.body, current.events);
      if (attempt.ok) {
        this.#counters.delivered += attempt.delivered;
        this.#counters.replayed += attempt.delivered;
        this.#replayedThisRound += attempt.delivered;
        this.#dropRejected(current.body, attempt.bounds, attempt.rejected);
      }
      if (attempt.ok && attempt.retry.length === 0) {
        spool.consume(current.chunk);
        current = undefined;
        probing = false;
        this.#backoff.reset();
        this.#clearProblem();
        continue;
      }
      const reason = attempt.reason ?? 'server';
      this.#reportProblem(reason, attempt.detail);
      if (attempt.ok) current = { chunk: current.chunk, body: selectPairs(current.body, attempt.bounds, attempt.retry), events: attempt.retry.length };
      if (current.chunk.orphaned) {
        spool.release(current.chunk, current.events);
        current = undefined;
      }
      probing = true;
      await this.#pause();
    }
    if (current !== undefined) this.#spool?.release(current.chunk, current.events);
  }

  /** Waits the next backoff delay; close() cuts it short. */
  async #pause(): Promise<void> {
    const delay = this.#backoff.next();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  /** One bulk request (after the index setup when it is still due). Never rejects. */
  async #attempt(body: Buffer, count: number): Promise<Attempt> {
    const setupFailure = await this.#ensureSetup();
    if (setupFailure !== undefined) return setupFailure;
    let response;
    try {
      response = await this.#es.request('POST', this.#bulkPath, body, 'application/x-ndjson');
    } catch (error) {
      return { ok: false, reason: connectionFailureReason(error), detail: `${this.#es.node}: ${describeConnectionError(error)}` };
    }
    if (response.status !== 200) {
      const reason = requestFailureReason(response.status);
      if (reason === 'setup' && this.#setup !== 'done' && this.#config.template !== 'none') this.#setup = 'pending';
      return { ok: false, reason, detail: describeEsErrorBody(response.status, response.text) };
    }
    let items: Record<string, { status?: number; error?: unknown }>[];
    try {
      const parsed = JSON.parse(response.text) as { errors?: boolean; items?: typeof items };
      items = parsed.items ?? [];
    } catch {
      return { ok: false, reason: 'server', detail: `unreadable bulk answer: ${response.text.slice(0, 200)}` };
    }
    if (items.length !== count) return { ok: false, reason: 'server', detail: `bulk answered ${items.length} items for ${count} documents` };
    const { bounds } = pairBounds(body);
    const sorted = sortBulkItems(items, (i) => pairDocument(body, bounds, i));
    if (sorted.retryReason === 'setup' && this.#config.template !== 'none') this.#setup = 'pending';
    return { ok: true, delivered: sorted.delivered, rejected: sorted.rejected, retry: sorted.retry, reason: sorted.retryReason, detail: sorted.retryDetail, bounds };
  }

  /** Runs the index setup if due; a network failure fails the attempt, a refusal is logged and writing is tried anyway. */
  async #ensureSetup(): Promise<Extract<Attempt, { ok: false }> | undefined> {
    if (this.#setup !== 'pending') return undefined;
    const variant = this.#config.template === 'production' ? 'production' : 'portable';
    try {
      const result = await setUpIndex(this.#es, { target: this.#config.index, variant, ilm: this.#config.ilm });
      this.#setup = 'done';
      this.#setupError = undefined;
      this.#log.info({ index: this.#config.index, variant, ...result }, `telemetry: elasticsearch ${variant} template ${result.template}${result.firstIndex ? `, first index ${result.firstIndex}` : ''}`);
      return undefined;
    } catch (error) {
      if (!(error instanceof TelemetryError)) {
        return { ok: false, reason: connectionFailureReason(error), detail: `${this.#es.node}: ${describeConnectionError(error)}` };
      }
      if (error.code === 'LOOKOUT_ES_UNAUTHORIZED') return { ok: false, reason: 'auth', detail: error.message };
      this.#setup = 'rejected';
      this.#counters.failures.setup++;
      if (this.#setupError === error.message) return undefined;
      this.#setupError = error.message;
      this.#log.error(
        { code: error.code, index: this.#config.index, template: this.#config.template, reason: error.message },
        `telemetry: elasticsearch index setup failed: ${error.message}; writing to "${this.#config.index}" anyway (events are spooled if that fails)`,
      );
      return undefined;
    }
  }

  #dropRejected(body: Buffer, bounds: readonly number[], rejected: readonly RejectedDocument[]): void {
    if (rejected.length === 0) return;
    this.#counters.dropped.rejected += rejected.length;
    const now = Date.now();
    if (now - this.#rejectLoggedAt < REJECTION_LOG_INTERVAL_MS) {
      this.#rejectSuppressed += rejected.length;
      return;
    }
    const first = rejected[0]!;
    this.#log.error(
      {
        code: 'LOOKOUT_ES_DOCUMENT_REJECTED',
        id: pairId(body, bounds, first.index),
        status: first.status,
        reason: first.reason,
        problems: first.problems,
        rejected: rejected.length,
        earlierUnlogged: this.#rejectSuppressed,
      },
      `telemetry: elasticsearch rejected ${rejected.length} document(s) that break the event contract, dropped (dropped.rejected): ${first.reason}; contract: ${first.problems.join('; ')}` +
        ` (one line per ${REJECTION_LOG_INTERVAL_MS / 1000} s at most)`,
    );
    this.#rejectLoggedAt = now;
    this.#rejectSuppressed = 0;
  }

  #reportProblem(reason: FailureReason, detail: string): void {
    this.#counters.failures[reason]++;
    if (this.#problem === reason) return;
    this.#problem = reason;
    const code = PROBLEM_CODES[reason];
    const fields = { code, reason, detail, node: this.#es.node, index: this.#config.index, spool: this.#spool?.path };
    const message = `telemetry: ${new TelemetryError(code, detail).message}; events go to the spool and are replayed when it recovers (retry with backoff up to ${this.#config.backoff.max} ms)`;
    if (OPERATOR_PROBLEMS.has(reason)) this.#log.error(fields, message);
    else this.#log.warn(fields, message);
  }

  #clearProblem(): void {
    if (this.#problem === undefined) return;
    this.#log.info({ after: this.#problem, spooledEvents: this.spoolEvents }, `telemetry: elasticsearch accepts events again, replaying ${this.spoolEvents} spooled events`);
    this.#problem = undefined;
  }
}

function resolveAuth(config: ElasticsearchSinkConfig, env: NodeJS.ProcessEnv): EsAuth {
  const apiKey = config.apiKey ?? (config.username === undefined ? env.LOOKOUT_ES_API_KEY : undefined);
  if (apiKey) return { apiKey };
  const username = config.username ?? env.LOOKOUT_ES_USERNAME;
  if (!username) return undefined;
  return { username, password: config.password ?? env.LOOKOUT_ES_PASSWORD ?? '' };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Waits for `promise`, but not past `deadline` (epoch ms). */
async function untilDeadline(promise: Promise<unknown> | undefined, deadline: number): Promise<void> {
  if (promise === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}
