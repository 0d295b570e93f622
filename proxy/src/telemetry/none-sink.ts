import type { RequestEvent } from '@lookout/telemetry';
import type { TelemetryCounters } from './telemetry-counters.ts';
import type { TelemetrySink } from './telemetry-sink.ts';

/** `telemetry.sink: none`: events are counted (`dropped.disabled`) and discarded. */
export class NoneSink implements TelemetrySink {
  readonly name = 'none';
  readonly flushInterval = 1_000;
  readonly spoolBytes = 0;
  readonly spoolEvents = 0;
  readonly heldEvents = 0;
  readonly #counters: TelemetryCounters;

  constructor(counters: TelemetryCounters) {
    this.#counters = counters;
  }

  async start(): Promise<void> {}
  add(_event: RequestEvent): void {
    this.#counters.dropped.disabled++;
  }
  endChunk(): void {}
  flush(): void {}
  async settled(): Promise<void> {}
  async close(): Promise<void> {}
}
