import { readFileSync } from 'node:fs';
import { scrapePrometheus } from '../audit/prometheus-scrape.ts';
import type { RequestLedger } from '../load/request-ledger.ts';
import { RUNTIME_METRICS, TELEMETRY_METRICS } from '../stack/proxy-metric-names.ts';

/** One sample of the proxy during a soak. */
export interface SoakSample {
  /** Seconds since the load started. */
  readonly tS: number;
  readonly requests: number;
  readonly clientErrors: number;
  /** Resident set size from the proxy's own metric, and from /proc as a cross-check. */
  readonly rssMiB: number;
  readonly procRssMiB: number;
  readonly heapUsedMiB: number;
  /** Event-loop delay since the previous sample (the proxy resets its histogram per scrape). */
  readonly eventLoopP99Ms: number;
  readonly eventLoopMaxMs: number;
  readonly eventLoopMeanMs: number;
  readonly eventLoopUtilization: number;
  readonly emitted: number;
  readonly delivered: number;
  readonly spoolEvents: number;
  readonly queueDepth: number;
}

/** The CSV columns, in {@link SoakSample} order. */
export const SOAK_CSV_COLUMNS: readonly (keyof SoakSample)[] = [
  'tS',
  'requests',
  'clientErrors',
  'rssMiB',
  'procRssMiB',
  'heapUsedMiB',
  'eventLoopP99Ms',
  'eventLoopMaxMs',
  'eventLoopMeanMs',
  'eventLoopUtilization',
  'emitted',
  'delivered',
  'spoolEvents',
  'queueDepth',
];

const MIB = 1024 ** 2;

function procRssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((text) => text.startsWith('VmRSS:'));
    return line === undefined ? Number.NaN : Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Reads one sample: the admin API's /metrics (the only scraper, so event-loop windows are ours) and /proc. */
export async function takeSoakSample(adminUrl: string, pid: number, ledger: RequestLedger, startedAt: number): Promise<SoakSample> {
  const samples = await scrapePrometheus(`${adminUrl}/metrics`);
  const read = (name: string): number => samples.sum(name) ?? Number.NaN;
  const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    tS: round((Date.now() - startedAt) / 1_000, 1),
    requests: ledger.count,
    clientErrors: ledger.unexpectedFailures().length,
    rssMiB: round(read(RUNTIME_METRICS.rssBytes) / MIB, 2),
    procRssMiB: round(procRssMiB(pid), 2),
    heapUsedMiB: round(read(RUNTIME_METRICS.heapUsedBytes) / MIB, 2),
    eventLoopP99Ms: round(read(RUNTIME_METRICS.eventLoopDelayP99) * 1_000, 3),
    eventLoopMaxMs: round(read(RUNTIME_METRICS.eventLoopDelayMax) * 1_000, 3),
    eventLoopMeanMs: round(read(RUNTIME_METRICS.eventLoopDelayMean) * 1_000, 3),
    eventLoopUtilization: round(read(RUNTIME_METRICS.eventLoopUtilization), 4),
    emitted: read(TELEMETRY_METRICS.emitted),
    delivered: read(TELEMETRY_METRICS.delivered),
    spoolEvents: read(TELEMETRY_METRICS.spoolEvents),
    queueDepth: read(TELEMETRY_METRICS.queueDepth),
  };
}
