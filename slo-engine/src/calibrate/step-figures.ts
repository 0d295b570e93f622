import { percentile } from '../sli/level.ts';
import type { StepSample } from './run-aggregator.ts';

/** What one step of the run measured: proxy-side from the events, client-side from k6. */
export interface StepFigures {
  readonly label: string;
  /** Offered arrival rate, per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Events of the run's host in the step's window. */
  readonly events: number;
  /** Achieved throughput: events per second of the window. */
  readonly throughput: number;
  /** Not-available events (5xx or proxy-side failure) and their share. */
  readonly errors: number;
  readonly errorRate: number | null;
  /** `event.duration` percentiles, ms, exact (nearest rank). */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /**
   * Means over the events that reached an upstream and got its whole answer: the duration, the
   * upstream part (`upstream_last_byte_ms - connect_ms`: request sent, upstream work, response
   * received) and the rest (proxy overhead: reading the request, routing, waiting for a
   * connection, writing the response). Means, because they add up: mean = upstream + overhead.
   */
  readonly meanMs: number | null;
  readonly meanUpstreamMs: number | null;
  readonly meanOverheadMs: number | null;
  /** k6's view of the step (client-side, includes time before the proxy read the request). */
  readonly client: {
    readonly requests: number;
    readonly failedRate: number | null;
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
  };
  /** Events recorded per request k6 sent in the step (1 = every request left one event). */
  readonly eventsPerRequest: number | null;
}

/** Figures of one step from its sample (sorts the sample's durations in place). */
export function stepFigures(sample: StepSample): StepFigures {
  const { step } = sample;
  const seconds = (step.endMs - step.startMs) / 1000;
  const durations = sample.durationsMs.sort((a, b) => a - b);
  const events = durations.length;
  const upstream = sample.upstreamEvents;
  const meanMs = upstream === 0 ? null : sample.upstreamEventsDurationSumMs / upstream;
  const meanUpstreamMs = upstream === 0 ? null : sample.upstreamSumMs / upstream;
  return {
    label: step.label,
    rate: step.rate,
    seconds,
    events,
    throughput: seconds > 0 ? events / seconds : 0,
    errors: sample.errors,
    errorRate: events === 0 ? null : sample.errors / events,
    p50Ms: percentile(durations, 0.5) ?? null,
    p95Ms: percentile(durations, 0.95) ?? null,
    p99Ms: percentile(durations, 0.99) ?? null,
    maxMs: durations.at(-1) ?? null,
    meanMs,
    meanUpstreamMs,
    meanOverheadMs: meanMs === null || meanUpstreamMs === null ? null : meanMs - meanUpstreamMs,
    client: { requests: step.client.requests, failedRate: step.client.failedRate, p50Ms: step.client.p50Ms, p99Ms: step.client.p99Ms },
    eventsPerRequest: step.client.requests === 0 ? null : events / step.client.requests,
  };
}
