import { randomUUID } from 'node:crypto';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { buildProxyIfStale } from '../../../proxy/launch.mjs';
import { auditEvents, type EventAudit } from '../audit/event-audit.ts';
import { startSteadyLoad } from '../load/steady-load.ts';
import { SHOP_HOST, startFaultStack } from '../stack/fault-stack.ts';
import { assessFlatness, type Flatness } from './flatness.ts';
import { takeSoakSample, type SoakSample } from './soak-sampler.ts';

export interface SoakOptions {
  readonly esUrl: string;
  readonly minutes: number;
  readonly rate: number;
  readonly sampleSeconds: number;
  readonly command: string;
  log(message: string): void;
}

/** Bounds of "no upward trend beyond noise" (see {@link assessFlatness}). */
export const SOAK_FLOORS = { rssMiB: 4, eventLoopP99Ms: 2 } as const;

/** The outcome of one soak. */
export interface SoakRun {
  readonly startedAt: string;
  readonly machine: { readonly host: string; readonly cpus: number; readonly memoryGiB: number; readonly node: string; readonly loadAverage: readonly number[] };
  readonly command: string;
  readonly minutes: number;
  readonly rate: number;
  readonly samples: readonly SoakSample[];
  readonly client: { readonly sent: number; readonly answered: number; readonly errors: number; readonly errorKinds: Readonly<Record<string, number>> };
  readonly events: EventAudit;
  /** Over the second half of the run, x in minutes. */
  readonly rss: Flatness;
  readonly eventLoopP99: Flatness;
  readonly verdict: 'PASS' | 'FAIL';
  readonly reasons: readonly string[];
}

/**
 * A proxy (the production bundle and flags; two echo members, telemetry to `esUrl` with its spool) under `rate` requests/s for
 * `minutes`, sampled every `sampleSeconds`; then every answered request is looked up in
 * Elasticsearch by id, and RSS and event-loop delay are checked for a trend over the second half.
 */
export async function runSoak(options: SoakOptions): Promise<SoakRun> {
  const startedAt = new Date().toISOString();
  const machine = { host: hostname(), cpus: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.versions.node, loadAverage: loadavg() };
  const runId = `soak${randomUUID().slice(0, 8)}`;
  const index = `hardening-requests-${runId}`;
  // The proxy as it ships: the bundle with the flags of proxy/node-runtime.json.
  buildProxyIfStale(process.execPath, options.log);
  const stack = await startFaultStack({ esUrl: options.esUrl, index, service: 'soak', members: [[], []], proxyBundle: true });
  const durationMs = options.minutes * 60_000;
  const samples: SoakSample[] = [];
  try {
    const load = startSteadyLoad({
      url: stack.proxyUrl,
      host: SHOP_HOST,
      ratePerSecond: options.rate,
      maxDurationMs: durationMs,
      maxRequests: Math.ceil(options.rate * options.minutes * 60) + 1,
      idPrefix: runId,
    });
    const loadStarted = Date.now();
    const pid = stack.proxy.process.pid!;
    // First scrape only resets the proxy's event-loop histogram.
    await takeSoakSample(stack.adminUrl, pid, load.ledger, loadStarted);
    let nextLog = loadStarted + 60_000;
    while (Date.now() - loadStarted < durationMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.sampleSeconds * 1_000, durationMs - (Date.now() - loadStarted))));
      const sample = await takeSoakSample(stack.adminUrl, pid, load.ledger, loadStarted);
      samples.push(sample);
      if (Date.now() >= nextLog) {
        nextLog += 60_000;
        options.log(`${(sample.tS / 60).toFixed(0)} min: ${sample.requests} requests, ${sample.clientErrors} errors, RSS ${sample.rssMiB} MiB, event-loop p99 ${sample.eventLoopP99Ms} ms, spool ${sample.spoolEvents}`);
      }
    }
    await load.stop();
    options.log(`load stopped: ${load.ledger.count} requests; waiting for the telemetry to drain`);
    await stack.waitForTelemetryDrained(300_000);
    const events = await auditEvents(options.esUrl, index, load.ledger);
    const summary = load.ledger.summary();
    const failures = load.ledger.unexpectedFailures();
    const errorKinds: Record<string, number> = {};
    for (const failure of failures) errorKinds[`${failure.method} ${failure.code}`] = (errorKinds[`${failure.method} ${failure.code}`] ?? 0) + 1;
    const minutes = samples.map((sample) => sample.tS / 60);
    const half = { from: options.minutes / 2, to: options.minutes };
    const rss = assessFlatness(minutes, samples.map((sample) => sample.rssMiB), { ...half, floor: SOAK_FLOORS.rssMiB });
    const eventLoopP99 = assessFlatness(minutes, samples.map((sample) => sample.eventLoopP99Ms), { ...half, floor: SOAK_FLOORS.eventLoopP99Ms });
    const reasons: string[] = [];
    if (events.lost > 0) reasons.push(`${events.lost} answered requests have no event in Elasticsearch`);
    if (events.duplicated > 0) reasons.push(`${events.duplicated} requests have more than one event`);
    if (!rss.flat) reasons.push(`RSS rose ${rss.rise.toFixed(1)} MiB over the second half (bound ${rss.bound.toFixed(1)} MiB)`);
    if (!eventLoopP99.flat) reasons.push(`event-loop delay p99 rose ${eventLoopP99.rise.toFixed(2)} ms over the second half (bound ${eventLoopP99.bound.toFixed(2)} ms)`);
    if (failures.length > 0) reasons.push(`${failures.length} requests failed at the client`);
    return {
      startedAt,
      machine,
      command: options.command,
      minutes: options.minutes,
      rate: options.rate,
      samples,
      client: { sent: summary.sent, answered: summary.answered, errors: failures.length, errorKinds },
      events,
      rss,
      eventLoopP99,
      verdict: reasons.length === 0 ? 'PASS' : 'FAIL',
      reasons,
    };
  } finally {
    await stack.stop().catch(() => undefined);
    await fetch(`${options.esUrl}/${index}-*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${options.esUrl}/_index_template/${index}`, { method: 'DELETE' }).catch(() => undefined);
  }
}
