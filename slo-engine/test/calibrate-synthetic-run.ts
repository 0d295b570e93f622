// A synthetic stress run for calibrate's tests: a k6 summary as load-tests/lib/summary.js
// writes it, and the proxy's events written through the proxy's own embedded sink, where the
// latency of each step is a known function of its arrival rate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequestEventId, exampleRequestEvent, type RequestEvent } from '@lookout/telemetry';
import { EmbeddedSink } from '../../proxy/src/telemetry/embedded-sink.ts';
import { createTelemetryCounters } from '../../proxy/src/telemetry/telemetry-counters.ts';
import { createLogger } from '../../proxy/src/log.ts';
import { seededRandom } from './seeded-random.ts';

export interface SyntheticRunOptions {
  readonly dir: string;
  readonly rates: readonly number[];
  /** Length of each step, s (steps follow each other with `rampSeconds` between them). */
  readonly holdSeconds: number;
  readonly rampSeconds?: number;
  /** Duration of the request at quantile `q` in (0, 1) of a step of `rate` requests per second, ms. */
  readonly latencyMs: (rate: number, q: number, random: () => number) => number;
  /** Share of failed (503) requests of a step. */
  readonly errorShare?: (rate: number) => number;
  /** Proxy overhead included in each duration (the rest is upstream time), ms. */
  readonly overheadMs?: number;
  readonly host?: string;
  readonly service?: string;
  readonly seed?: number;
  /** Start of the run, epoch ms. */
  readonly startMs?: number;
}

export interface SyntheticRun {
  readonly summaryFile: string;
  readonly eventsFile: string;
  readonly events: number;
}


/**
 * Writes the run: per step `rate × holdSeconds` events evenly spread over the step's window,
 * whose durations are `latencyMs(rate, q)` for quantiles `q = (k + 0.5) / n` in shuffled order
 * (so the step's exact percentiles are the function's), and the matching summary.
 */
export async function writeSyntheticRun(options: SyntheticRunOptions): Promise<SyntheticRun> {
  const host = options.host ?? 'synthetic.test';
  const service = options.service ?? 'synthetic';
  const overheadMs = options.overheadMs ?? 0.3;
  const ramp = options.rampSeconds ?? 1;
  const random = seededRandom(options.seed ?? 1);
  const start = options.startMs ?? Date.UTC(2026, 0, 1, 12, 0, 0);
  const eventsFile = join(options.dir, 'telemetry.sqlite');
  const sink = new EmbeddedSink({ config: { path: eventsFile, retention: 0 }, counters: createTelemetryCounters(), log: createLogger({ component: 'test' }) });
  await sink.start();
  const template = exampleRequestEvent();
  let written = 0;
  let at = start;
  const steps = options.rates.map((rate, index) => {
    if (index > 0) at += ramp * 1000;
    const from = at;
    const to = from + options.holdSeconds * 1000;
    at = to;
    const n = Math.round(rate * options.holdSeconds);
    const order = Array.from({ length: n }, (_, k) => k);
    for (let k = n - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    const failing = Math.round(n * (options.errorShare?.(rate) ?? 0));
    // Failed requests evenly spaced over the step: every `spacing`-th one, `failing` of them.
    const spacing = failing === 0 ? 0 : Math.floor(n / failing);
    for (let k = 0; k < n; k++) {
      const ts = from + Math.floor((k * (to - from)) / n);
      const durationMs = options.latencyMs(rate, ((order[k] as number) + 0.5) / n, random);
      const failed = spacing > 0 && k % spacing === 0 && k / spacing < failing;
      const event: RequestEvent = {
        ...template,
        '@timestamp': new Date(ts).toISOString(),
        event: { ...template.event, id: createRequestEventId(ts), duration: Math.round(durationMs * 1e6), outcome: failed ? 'failure' : 'success' },
        url: { ...template.url, domain: host, path: '/', original: '/' },
        http: { ...template.http, response: { status_code: failed ? 503 : 200, body: { bytes: 100 } } },
        service: { ...template.service, target: { name: service } },
        lookout: {
          ...template.lookout,
          termination: 'ok',
          timing: { queue_wait_ms: 0, connect_ms: 0.05, upstream_first_byte_ms: 0.05 + durationMs - overheadMs, upstream_last_byte_ms: 0.05 + durationMs - overheadMs, client_last_byte_ms: durationMs },
        },
      };
      delete (event as { error?: unknown }).error;
      sink.add(event);
      written++;
      if (written % 128 === 0) sink.endChunk();
    }
    return { label: String(index), rate, fromMs: from - start, toMs: to - start, startMs: from, endMs: to, n, failing };
  });
  sink.endChunk();
  await sink.close();

  const summary = {
    format: 'lookout-k6-summary',
    version: 1,
    profile: 'stress',
    target: { url: 'http://127.0.0.1:8080/', host },
    slo: { availability: 0.999, p99Ms: 250 },
    settings: { STEP_DURATION: options.holdSeconds },
    scenarioStartMs: start,
    endedAtMs: at + 50,
    testRunDurationMs: at + 50 - start,
    steps: steps.map((s) => ({
      label: s.label,
      rate: s.rate,
      fromMs: s.fromMs,
      toMs: s.toMs,
      startMs: s.startMs,
      endMs: s.endMs,
      client: { requests: s.n, failedRate: s.failing / s.n, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null },
    })),
    totals: { requests: written, failedRate: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, failed: 0, droppedIterations: 0, vusMax: 10, checksRate: null },
    thresholds: [],
    passed: true,
    k6: { metrics: {} },
  };
  const summaryFile = join(options.dir, 'stress-summary.json');
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  return { summaryFile, eventsFile, events: written };
}
