import { exampleRequestEvent, type RequestEvent } from '@lookout/telemetry';
import { describe, expect, test } from 'vitest';
import { createTelemetryCounters } from './telemetry-counters.ts';
import { DRAIN_CHUNK, TelemetryPipeline } from './telemetry-pipeline.ts';
import type { TelemetrySink } from './telemetry-sink.ts';

/** A sink that records calls (unit test double). */
class RecordingSink implements TelemetrySink {
  readonly name = 'none';
  readonly flushInterval = 60_000;
  readonly spoolBytes = 0;
  readonly spoolEvents = 0;
  readonly heldEvents = 0;
  readonly added: RequestEvent[] = [];
  readonly calls: string[] = [];
  closedWith: number | undefined;
  async start(): Promise<void> {}
  add(event: RequestEvent): void {
    this.added.push(event);
  }
  endChunk(): void {
    this.calls.push(`chunk:${this.added.length}`);
  }
  flush(): void {
    this.calls.push('flush');
  }
  async settled(): Promise<void> {}
  async close(deadline: number): Promise<void> {
    this.closedWith = deadline;
  }
}

function pipeline(capacity: number, whenFull: 'drop-newest' | 'drop-oldest' = 'drop-newest') {
  const sink = new RecordingSink();
  return { sink, pipeline: new TelemetryPipeline({ sink, counters: createTelemetryCounters(), queueCapacity: capacity, whenQueueFull: whenFull, closeTimeout: 1_000 }) };
}

function events(n: number): RequestEvent[] {
  return Array.from({ length: n }, () => exampleRequestEvent());
}

describe('TelemetryPipeline', () => {
  test('emit only queues: nothing reaches the sink until the batcher runs', () => {
    const { sink, pipeline: p } = pipeline(10);
    for (const event of events(3)) p.emit(event);
    expect(sink.added).toHaveLength(0);
    expect(p.queueDepth).toBe(3);
    expect(p.counters.emitted).toBe(3);
  });

  test('counts the events a full queue drops, per policy, and keeps the right ones', async () => {
    const all = events(5);
    const newest = pipeline(3, 'drop-newest');
    const oldest = pipeline(3, 'drop-oldest');
    for (const event of all) {
      newest.pipeline.emit(event);
      oldest.pipeline.emit(event);
    }
    await newest.pipeline.flush();
    await oldest.pipeline.flush();
    expect(newest.pipeline.counters.dropped.queue_full).toBe(2);
    expect(newest.sink.added).toEqual(all.slice(0, 3));
    expect(oldest.pipeline.counters.dropped.queue_full).toBe(2);
    expect(oldest.sink.added).toEqual(all.slice(2));
  });

  test('hands the queue over in chunks and flushes on flush()', async () => {
    const { sink, pipeline: p } = pipeline(1000);
    for (const event of events(DRAIN_CHUNK + 5)) p.emit(event);
    await p.flush();
    expect(sink.calls).toEqual([`chunk:${DRAIN_CHUNK}`, `chunk:${DRAIN_CHUNK + 5}`, 'flush']);
  });

  test('the batcher drains in the background once started', async () => {
    const { sink, pipeline: p } = pipeline(1000);
    await p.start();
    for (const event of events(300)) p.emit(event);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sink.added).toHaveLength(300);
    expect(p.queueDepth).toBe(0);
    await p.close();
  });

  test('close drains everything, closes the sink with a deadline, and counts later emits as dropped', async () => {
    const { sink, pipeline: p } = pipeline(1000);
    for (const event of events(10)) p.emit(event);
    const before = Date.now();
    await p.close();
    expect(sink.added).toHaveLength(10);
    expect(sink.calls.at(-1)).toBe('flush');
    expect(sink.closedWith).toBeGreaterThanOrEqual(before + 1_000);
    p.emit(exampleRequestEvent());
    expect(p.counters.dropped.closed).toBe(1);
    expect(sink.added).toHaveLength(10);
  });
});
