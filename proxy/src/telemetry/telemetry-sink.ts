import type { RequestEvent } from '@lookout/telemetry';

/**
 * Where the pipeline's batcher puts events, off the request path. The pipeline calls `add` for
 * each event in emit order, `endChunk` after every chunk of at most a few hundred (a point to
 * serialise or commit without holding the event loop long), and `flush` when the oldest held
 * event reached the sink's max delay. A sink accounts for every event it takes in the shared
 * counters (delivered, spooled, dropped) and never throws.
 */
export interface TelemetrySink {
  readonly name: 'elasticsearch' | 'embedded' | 'none';
  /** Longest time an event may wait before `flush` (ms). */
  readonly flushInterval: number;
  /** Connects, installs what is configured, replays leftovers. Never rejects. */
  start(): Promise<void>;
  add(event: RequestEvent): void;
  endChunk(): void;
  flush(): void;
  /** Resolves once no write is in flight or waiting in memory (the spool may still hold events). */
  settled(): Promise<void>;
  /** Delivers or spools everything it holds, waiting at most until `deadline` (epoch ms) for the network. */
  close(deadline: number): Promise<void>;
  /** Bytes and events waiting in the disk spool (0 for sinks without one). */
  readonly spoolBytes: number;
  readonly spoolEvents: number;
  /** Events serialised or sent but not yet acknowledged or spooled. */
  readonly heldEvents: number;
}
