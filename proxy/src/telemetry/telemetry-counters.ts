/** Why an event was dropped (it will never reach the sink). */
export const DROP_REASONS = [
  /** The in-memory queue was full (`telemetry.queue.whenFull` picks which event). */
  'queue_full',
  /** The disk spool was full (`telemetry.spool.whenFull` picks which events). */
  'spool_full',
  /** The sink refused the document itself (Elasticsearch 400 on a document that breaks the contract). */
  'rejected',
  /** The spool could not be written (disk error) or a spool record was unreadable. */
  'spool_error',
  /** The embedded database refused the write. */
  'sink_error',
  /** `telemetry.sink: none`. */
  'disabled',
  /** Emitted after `close()`. */
  'closed',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Why a delivery attempt failed; the events involved went to the spool (nothing is dropped here). */
export const FAILURE_REASONS = [
  /** Connection refused/reset, DNS, TLS. */
  'unreachable',
  /** The request took longer than `requestTimeout`. */
  'timeout',
  /** 401/403: wrong or missing credentials, or missing privileges. */
  'auth',
  /** 429 (whole request or items). */
  'throttled',
  /** 5xx (whole request or items), or another unexpected answer. */
  'server',
  /** The index mapping refused documents that satisfy the contract (a mapping conflict). */
  'mapping',
  /** Template/index setup failed, or the write alias/data stream is missing (404). */
  'setup',
  /** Batches queued up behind a slow bulk request beyond `maxPendingBatches`. */
  'backpressure',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * The pipeline's counters: plain numbers, updated in place, for the metrics code to read (no
 * allocation per read). Every emitted event ends in exactly one of delivered / dropped, or is
 * still held (queue, memory batches, spool: see the pipeline's gauges).
 *
 * `delivered` counts events the sink acknowledged in this process, including `replayed` ones
 * (spooled earlier, maybe by an earlier process); an Elasticsearch 409 counts as delivered.
 */
export interface TelemetryCounters {
  emitted: number;
  delivered: number;
  /** Events written to the disk spool. */
  spooled: number;
  /** Events delivered from the spool (also counted in `delivered`). */
  replayed: number;
  readonly dropped: Record<DropReason, number>;
  /** Failed delivery attempts, by reason. */
  readonly failures: Record<FailureReason, number>;
}

/** All counters at zero. */
export function createTelemetryCounters(): TelemetryCounters {
  return {
    emitted: 0,
    delivered: 0,
    spooled: 0,
    replayed: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>,
    failures: Object.fromEntries(FAILURE_REASONS.map((reason) => [reason, 0])) as Record<FailureReason, number>,
  };
}
