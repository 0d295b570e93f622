import { TERMINATIONS, type RequestEvent } from '@lookout/telemetry';
import type { TrafficQuery } from '../src/dashboard/traffic-source.ts';

/** One value per bucket. */
type Values = (number | null)[];

/** Group rows of the tables, computed by brute force. */
export interface ExpectedGroup {
  readonly key: string;
  readonly requests: number;
  readonly failures: number;
  /** Durations of the group, ascending, ns. */
  readonly durations: number[];
  readonly average: number | null;
}

/** What the traffic charts must show for `events`, computed by brute force over the events, independent of the sources. */
export interface ExpectedTraffic {
  readonly total: number;
  readonly failed: number;
  readonly time: number[];
  readonly counts: number[];
  /** Durations of each bucket, ascending, ns. */
  readonly durations: number[][];
  readonly statusClasses: Map<string, number[]>;
  /** Failed requests per failing termination code and bucket, every code seen. */
  readonly terminations: Map<string, number[]>;
  readonly bytesIn: Values;
  readonly bytesOut: Values;
  readonly phases: Map<string, Values>;
  readonly uris: ExpectedGroup[];
  readonly members: ExpectedGroup[];
}

/** The nearest-rank percentile of ascending `sorted` (ns), as ms. */
export function nearestRankMs(sorted: readonly number[], percent: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length - 1e-9));
  return sorted[rank - 1]! / 1e6;
}

const PHASES = ['queue_wait_ms', 'connect_ms', 'upstream_first_byte_ms', 'upstream_last_byte_ms', 'client_last_byte_ms'] as const;

/** Brute force over every event: the population is `@timestamp` in `[from, to)` and not a probe. */
export function expectedTraffic(events: readonly RequestEvent[], query: TrafficQuery): ExpectedTraffic {
  const buckets = (query.to - query.from) / query.stepMs;
  const time = Array.from({ length: buckets }, (_, i) => query.from + i * query.stepMs);
  const zeros = (): number[] => time.map(() => 0);
  const counts = zeros();
  const durations: number[][] = time.map(() => []);
  const statusClasses = new Map(['1xx', '2xx', '3xx', '4xx', '5xx'].map((label) => [label, zeros()]));
  const terminations = new Map<string, number[]>();
  const bytesIn: Values = time.map(() => null);
  const bytesOut: Values = time.map(() => null);
  const phaseSums = new Map(PHASES.map((phase) => [phase, time.map(() => ({ sum: 0, n: 0 }))]));
  const uris = new Map<string, { requests: number; failures: number; durations: number[]; sum: number; n: number }>();
  const members = new Map<string, { requests: number; failures: number; durations: number[]; sum: number; n: number }>();
  let total = 0;
  let failed = 0;

  const group = (map: typeof uris, key: string, event: RequestEvent, averaged: number | undefined): void => {
    let row = map.get(key);
    if (row === undefined) map.set(key, (row = { requests: 0, failures: 0, durations: [], sum: 0, n: 0 }));
    row.requests++;
    if (event.event.outcome === 'failure') row.failures++;
    row.durations.push(event.event.duration);
    if (averaged !== undefined) {
      row.sum += averaged;
      row.n++;
    }
  };

  for (const event of events) {
    const ts = Date.parse(event['@timestamp']);
    if (ts < query.from || ts >= query.to || event.lookout.probe) continue;
    const i = Math.floor((ts - query.from) / query.stepMs);
    total++;
    counts[i]!++;
    if (event.event.outcome === 'failure') failed++;
    durations[i]!.push(event.event.duration);
    const status = event.http.response.status_code;
    const label = `${Math.floor(status / 100)}xx`;
    if (statusClasses.has(label)) statusClasses.get(label)![i]!++;
    const termination = event.lookout.termination;
    if (TERMINATIONS[termination].status !== null) {
      if (!terminations.has(termination)) terminations.set(termination, zeros());
      terminations.get(termination)![i]!++;
    }
    bytesIn[i] = (bytesIn[i] ?? 0) + event.http.request.body.bytes;
    bytesOut[i] = (bytesOut[i] ?? 0) + event.http.response.body.bytes;
    for (const phase of PHASES) {
      const value = event.lookout.timing[phase];
      if (value === undefined) continue;
      const cell = phaseSums.get(phase)![i]!;
      cell.sum += value;
      cell.n++;
    }
    group(uris, event.url.path, event, event.http.response.body.bytes);
    const member = event.lookout.upstream?.member;
    if (member !== undefined) group(members, member, event, event.lookout.timing.connect_ms);
  }

  const rows = (map: typeof uris, limit: number): ExpectedGroup[] =>
    [...map]
      .map(([key, row]) => ({ key, requests: row.requests, failures: row.failures, durations: row.durations.sort((a, b) => a - b), average: row.n === 0 ? null : row.sum / row.n }))
      .sort((a, b) => b.requests - a.requests || (a.key < b.key ? -1 : 1))
      .slice(0, limit);
  for (const bucket of durations) bucket.sort((a, b) => a - b);

  return {
    total,
    failed,
    time,
    counts,
    durations,
    statusClasses,
    terminations,
    bytesIn,
    bytesOut,
    phases: new Map(PHASES.map((phase) => [`lookout.timing.${phase}`, phaseSums.get(phase)!.map((cell) => (cell.n === 0 ? null : cell.sum / cell.n))])),
    uris: rows(uris, 20),
    members: rows(members, 20),
  };
}
