import type { TerminationCode } from '@lookout/telemetry';

/**
 * The fields of a proxy request event that `calibrate` reads, flattened. The readers fill one
 * object per event and may reuse it for the next one: copy what you keep.
 */
export interface RunEvent {
  /** `@timestamp` (request arrival), epoch ms. */
  ts: number;
  /** `event.duration`, ns. */
  durationNs: number;
  status: number;
  termination: TerminationCode;
  probe: boolean;
  /** `service.target.name`; null when no route matched. */
  service: string | null;
  /** `url.domain`. */
  domain: string;
  /** `url.path`. */
  path: string;
  /** `lookout.timing.connect_ms`: the upstream connection was obtained; null when none was. */
  connectMs: number | null;
  /** `lookout.timing.upstream_last_byte_ms`: the upstream response was fully received; null when it was not. */
  upstreamLastByteMs: number | null;
}

/** A half-open range `[from, to)` of `@timestamp`, epoch ms. */
export interface EventRange {
  readonly from: number;
  readonly to: number;
}

/** Reads the raw events of a time range from a store, in time order, calling `onEvent` per event. */
export interface RunEventReader {
  /** The store, for messages: the SQLite path or the Elasticsearch URL and index. */
  readonly location: string;
  /** How many events the range holds (probes included). */
  count(range: EventRange): Promise<number>;
  /** Calls `onEvent` for every event of the range (probes included). */
  read(range: EventRange, onEvent: (event: RunEvent) => void): Promise<void>;
  close(): Promise<void>;
}

/** A fresh event object for readers to fill. */
export function blankRunEvent(): RunEvent {
  return { ts: 0, durationNs: 0, status: 0, termination: 'ok', probe: false, service: null, domain: '', path: '', connectMs: null, upstreamLastByteMs: null };
}
