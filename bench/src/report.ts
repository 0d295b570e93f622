import { availableParallelism } from 'node:os';
import type { RateResult } from './rate.ts';
import { mib, type RssReport } from './rss.ts';
import { deliveryComplete, type Delivery } from './telemetry-check.ts';
import { TARGET_LABELS, type Target, type TargetId } from './targets.ts';
import { wrkErrors, type WrkResult } from './wrk.ts';

/** Outcome of one target in one phase. */
export interface Run<T> {
  id: TargetId;
  label: string;
  result?: T;
  rss?: RssReport;
  /** Why the target failed; the run has no result then. */
  error?: string;
  /** Tail of the target's output when it failed. */
  tail?: string;
  /** lookout-telemetry only: what reached Elasticsearch. */
  telemetry?: Delivery;
  /** CPU the target's process tree used during the measurement, in cores (for `direct`: the upstream nginx). */
  cpuCores?: number;
}

export interface Report {
  date: Date;
  command: string;
  machine: Array<[string, string]>;
  versions: Array<[string, string]>;
  settings: Array<[string, string]>;
  fairness: string[];
  targets: Target[];
  /** Every generated configuration (upstream included), shown at the end of the Markdown. */
  configs: Array<{ label: string; file: string; text: string }>;
  rate: number;
  maxRuns: Array<Run<WrkResult>>;
  rateRuns: Array<Run<RateResult>>;
}

/** The goals lookout is held to. */
export const GOALS = {
  vsFastify: 1.5,
  vsHaproxy: 0.3,
  rssAtMaxMiB: 128,
  rssAtRateMiB: 90,
  /** lookout + ES telemetry against the same proxy with telemetry off. */
  telemetryVsLookout: 0.9,
  telemetryVsFastify: 1.5,
};

const TELEMETRY: TargetId = 'lookout-telemetry';
const TELEMETRY_LABEL = TARGET_LABELS['lookout-telemetry'];

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function maxRow(run: Run<WrkResult>): string[] {
  if (!run.result) return [run.label, 'FAILED', '-', '-', '-', run.rss ? fixed(mib(run.rss.maxRssKiB), 1) : '-'];
  const r = run.result;
  return [
    run.label,
    fixed(r.requestsPerSec, 0),
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    String(wrkErrors(r)),
    run.rss ? fixed(mib(run.rss.maxRssKiB), 1) : '-',
  ];
}

function rateRow(run: Run<RateResult>): string[] {
  if (!run.result) return [run.label, 'FAILED', '-', '-', '-', '-', '-', '-'];
  const r = run.result;
  return [
    run.label,
    fixed(r.achievedPerSec, 0),
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    String(r.errors + r.non2xx),
    String(r.dropped),
    run.rss ? fixed(mib(run.rss.maxRssKiB), 1) : '-',
    cpuText(run.cpuCores),
  ];
}

/** Cores with two decimals, '-' when unknown. */
function cpuText(cores: number | undefined): string {
  return cores === undefined ? '-' : cores.toFixed(2);
}

/** CPU microseconds per request: `cores` spread over `perSec` requests per second. */
function microsPerRequest(cores: number | undefined, perSec: number): string {
  return cores === undefined || !(perSec > 0) ? '-' : ((cores / perSec) * 1e6).toFixed(1);
}

const MAX_HEADER = ['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MiB'];

function rateHeader(rate: number): string[] {
  return ['target', `req/s (asked ${rate})`, 'p50 ms', 'p99 ms', 'errors', 'dropped', 'peak RSS MiB', 'CPU cores'];
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][], numeric = true): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 || !numeric ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

function find<T>(runs: Array<Run<T>>, id: TargetId): Run<T> | undefined {
  return runs.find((run) => run.id === id);
}

/**
 * lookout's throughput divided by each other target's, then lookout + ES telemetry's divided by
 * lookout's and @fastify/http-proxy's.
 */
export function ratios(report: Report): Array<{ subject: string; peer: string; ratio?: number }> {
  const list: Array<{ subject: string; peer: string; ratio?: number }> = [];
  const divide = (subject: Run<WrkResult>, peer: Run<WrkResult>) => ({
    subject: subject.label,
    peer: peer.label,
    ratio: subject.result && peer.result && peer.result.requestsPerSec > 0 ? subject.result.requestsPerSec / peer.result.requestsPerSec : undefined,
  });
  const lookout = find(report.maxRuns, 'lookout');
  if (lookout?.result) {
    for (const run of report.maxRuns) if (run.id !== 'lookout' && run.id !== TELEMETRY) list.push(divide(lookout, run));
  }
  const telemetry = find(report.maxRuns, TELEMETRY);
  if (telemetry?.result) {
    for (const id of ['lookout', 'fastify'] as const) {
      const peer = find(report.maxRuns, id);
      if (peer) list.push(divide(telemetry, peer));
    }
  }
  return list;
}

export interface Check {
  goal: string;
  status: 'PASS' | 'FAIL' | 'n/a';
  detail: string;
}

/** The pass/fail lines: throughput ratios and memory limits of lookout. */
export function checks(report: Report): Check[] {
  const lookoutMax = find(report.maxRuns, 'lookout');
  const lookoutRate = find(report.rateRuns, 'lookout');
  const lookoutRps = lookoutMax?.result?.requestsPerSec;
  const ratioCheck = (id: TargetId, goal: number, subjectId: TargetId = 'lookout', name?: string): Check => {
    const peer = find(report.maxRuns, id);
    const subject = find(report.maxRuns, subjectId);
    const subjectLabel = TARGET_LABELS[subjectId];
    const goalName = name ?? `${subjectLabel} >= ${goal}x ${peer?.label ?? TARGET_LABELS[id]} (throughput)`;
    if (!subject) return { goal: goalName, status: 'n/a', detail: `${subjectLabel} not run` };
    if (!subject.result) return { goal: goalName, status: 'FAIL', detail: `${subjectLabel} failed` };
    if (!peer?.result) return { goal: goalName, status: 'n/a', detail: peer ? `${peer.label} failed` : `${TARGET_LABELS[id]} not run` };
    const ratio = subject.result.requestsPerSec / peer.result.requestsPerSec;
    return { goal: goalName, status: ratio >= goal ? 'PASS' : 'FAIL', detail: `${ratio.toFixed(2)}x` };
  };
  const rssCheck = (run: Run<unknown> | undefined, limit: number, phase: string): Check => {
    const name = `lookout peak RSS <= ${limit} MiB ${phase}`;
    if (!run) return { goal: name, status: 'n/a', detail: 'not run' };
    if (!run.result || !run.rss) return { goal: name, status: 'FAIL', detail: 'lookout failed' };
    const value = mib(run.rss.maxRssKiB);
    return { goal: name, status: value <= limit ? 'PASS' : 'FAIL', detail: `${value.toFixed(1)} MiB` };
  };
  const errorsCheck = (id: TargetId): Check => {
    const label = TARGET_LABELS[id];
    const name = `${label} answered every request with 2xx (both phases)`;
    const max = find(report.maxRuns, id);
    const rate = find(report.rateRuns, id);
    const runs = [max, rate].filter((run) => run !== undefined);
    if (runs.length === 0) return { goal: name, status: 'n/a', detail: 'not run' };
    let errors = 0;
    for (const run of runs) {
      if (!run.result) return { goal: name, status: 'FAIL', detail: `${label} failed` };
    }
    if (max?.result) errors += wrkErrors(max.result);
    if (rate?.result) errors += rate.result.errors + rate.result.non2xx;
    return { goal: name, status: errors === 0 ? 'PASS' : 'FAIL', detail: `${errors} errors` };
  };
  // The throughput ratio means something only if the events really went out: a full queue drops
  // events (and their cost) silently.
  const deliveryCheck = (): Check => {
    const name = `${TELEMETRY_LABEL}: every event reached Elasticsearch (documents = events emitted, none dropped)`;
    const runs = [find(report.maxRuns, TELEMETRY), find(report.rateRuns, TELEMETRY)].filter((run) => run !== undefined);
    if (runs.length === 0) return { goal: name, status: 'n/a', detail: 'not run' };
    const details: string[] = [];
    let ok = true;
    for (const run of runs) {
      const phase = run === find(report.maxRuns, TELEMETRY) ? 'max' : 'rate';
      if (!run.result) return { goal: name, status: 'FAIL', detail: `${TELEMETRY_LABEL} failed` };
      if (!run.telemetry) return { goal: name, status: 'FAIL', detail: `${phase}: not counted` };
      const complete = deliveryComplete(run.telemetry);
      ok &&= complete.ok;
      details.push(`${phase}: ${complete.detail}`);
    }
    return { goal: name, status: ok ? 'PASS' : 'FAIL', detail: details.join('; ') };
  };
  return [
    ratioCheck('fastify', GOALS.vsFastify),
    ratioCheck('haproxy', GOALS.vsHaproxy),
    rssCheck(lookoutMax, GOALS.rssAtMaxMiB, 'at max throughput'),
    rssCheck(lookoutRate, GOALS.rssAtRateMiB, `at ${report.rate} req/s`),
    errorsCheck('lookout'),
    ratioCheck('lookout', GOALS.telemetryVsLookout, TELEMETRY, `${TELEMETRY_LABEL} >= ${GOALS.telemetryVsLookout}x lookout (telemetry off)`),
    ratioCheck('fastify', GOALS.telemetryVsFastify, TELEMETRY),
    deliveryCheck(),
    errorsCheck(TELEMETRY),
  ];
}

function overall(list: Check[]): string {
  if (list.some((check) => check.status === 'FAIL')) return 'FAIL';
  if (list.every((check) => check.status === 'PASS')) return 'PASS';
  return 'INCOMPLETE';
}

function ratioLines(report: Report): string[] {
  return ratios(report).map(({ subject, peer, ratio }) => `${subject} / ${peer}: ${ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`}`);
}

const TELEMETRY_NOTE = `Elasticsearch runs on the same ${availableParallelism()} cores as wrk, the upstream and the proxy; its CPU is part of the cost measured here (and not in the peak RSS column, which is the proxy only).`;

function terminationText(d: Delivery): string {
  const by = d.es?.byTermination;
  if (!by || Object.keys(by).length === 0) return '-';
  return Object.entries(by).map(([key, n]) => `${key} ${n}`).join(', ');
}

/** One row per phase of the telemetry target. */
/** Requests per second of a run's measured phase (wrk or the fixed-rate generator). */
function measuredPerSec(run: Run<unknown>): number {
  const result = run.result as Partial<WrkResult & RateResult> | undefined;
  return result?.requestsPerSec ?? result?.achievedPerSec ?? Number.NaN;
}

function telemetryRows(report: Report): Array<{ phase: string; run: Run<unknown>; d: Delivery }> {
  const rows: Array<{ phase: string; run: Run<unknown>; d: Delivery }> = [];
  const max = find(report.maxRuns, TELEMETRY);
  const rate = find(report.rateRuns, TELEMETRY);
  if (max?.telemetry) rows.push({ phase: 'max throughput', run: max, d: max.telemetry });
  if (rate?.telemetry) rows.push({ phase: `${report.rate} req/s`, run: rate, d: rate.telemetry });
  return rows;
}

function telemetryText(report: Report): string[] {
  const rows = telemetryRows(report);
  if (rows.length === 0) return [];
  const lines = ['', `${TELEMETRY_LABEL}, events in Elasticsearch (counted after each phase):`];
  for (const { phase, d } of rows) {
    if (d.error) {
      lines.push(`  ${phase}: counting failed: ${d.error}`);
      continue;
    }
    const c = d.counters;
    lines.push(
      `  ${phase}: ${d.es?.documents ?? '?'} documents for ${d.loadRequests} requests completed by the load generator (warm-up included)` +
        (d.es?.probes !== undefined ? `, ${d.es.probes} readiness probes` : ''),
      `    by termination: ${terminationText(d)}`,
    );
    if (c) {
      lines.push(`    proxy counters: emitted ${c.emitted}, delivered ${c.delivered}, spooled ${c.spooled}, replayed ${c.replayed}, dropped ${c.droppedTotal}` +
        (c.droppedTotal > 0 ? ` (${Object.entries(c.dropped).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''));
    }
    lines.push(
      `    pipeline ${d.settled ? 'drained' : 'NOT drained'} ${d.settleSec.toFixed(1)} s after the load; Elasticsearch CPU during the measurement: ${d.esCores === undefined ? 'unknown' : `${d.esCores.toFixed(2)} cores`}`,
    );
  }
  lines.push(`  ${TELEMETRY_NOTE}`);
  return lines;
}

function telemetryMarkdown(report: Report): string[] {
  const rows = telemetryRows(report);
  if (rows.length === 0) return [];
  return [
    `## ${TELEMETRY_LABEL}: events in Elasticsearch`,
    '',
    `The \`lookout-bench*\` indices are deleted before each phase of the target; after it the bench waits until the proxy's pipeline is empty (admin API counters), refreshes and counts. The load generator's count leaves out the bench's check request, the readiness probes and the requests in flight when it stopped (warm-up and measurement), so the documents can exceed it by up to 2 x connections + 1 (those requests are recorded as ok or client_abort). ${TELEMETRY_NOTE}`,
    '',
    markdownTable(
      ['phase', 'requests (load generator, incl. warm-up)', 'ES documents', 'by termination', 'emitted', 'delivered', 'spooled', 'dropped', 'drained after s', 'ES CPU during measurement (cores)', 'ES CPU µs per request', 'proxy CPU µs per request'],
      rows.map(({ phase, run, d }) => {
        const perSec = measuredPerSec(run);
        const c = d.counters;
        const dropped = c ? (c.droppedTotal > 0 ? `${c.droppedTotal} (${Object.entries(c.dropped).map(([k, n]) => `${k} ${n}`).join(', ')})` : '0') : '-';
        return [
          phase,
          String(d.loadRequests),
          d.error ? `failed: ${d.error.replaceAll('|', '\\|')}` : String(d.es?.documents ?? '-'),
          terminationText(d),
          c ? String(c.emitted) : '-',
          c ? String(c.delivered) : '-',
          c ? String(c.spooled) : '-',
          dropped,
          `${d.settleSec.toFixed(1)}${d.settled ? '' : ' (not drained)'}`,
          d.esCores === undefined ? '-' : d.esCores.toFixed(2),
          microsPerRequest(d.esCores, perSec),
          microsPerRequest(run.cpuCores, perSec),
        ];
      }),
    ),
    '',
  ];
}

/** What the terminal shows at the end. */
export function textReport(report: Report): string {
  const list = checks(report);
  const parts = [
    'Max throughput (closed loop, wrk):',
    textTable(MAX_HEADER, report.maxRuns.map(maxRow)),
  ];
  if (report.rateRuns.length > 0) {
    parts.push('', `Fixed rate (open loop, ${report.rate} req/s):`, textTable(rateHeader(report.rate), report.rateRuns.map(rateRow)));
  }
  const ratioText = ratioLines(report);
  if (ratioText.length > 0) parts.push('', 'Throughput ratios:', ...ratioText.map((line) => `  ${line}`));
  parts.push(...telemetryText(report));
  parts.push('', 'Targets:', ...list.map((c) => `  [${c.status}] ${c.goal}: ${c.detail}`));
  parts.push(`Result: ${overall(list)}`);
  for (const run of [...report.maxRuns, ...report.rateRuns]) {
    if (run.error) parts.push('', `${run.label} failed: ${run.error}`, ...(run.tail ? [run.tail] : []));
  }
  return parts.join('\n');
}

/** The file written to bench/results/. */
export function markdownReport(report: Report): string {
  const list = checks(report);
  const kv = (rows: Array<[string, string]>) => markdownTable(['', ''], rows.map(([k, v]) => [k, v.replaceAll('|', '\\|')]), false);
  const out: string[] = [
    `# lookout benchmark, ${report.date.toISOString().slice(0, 10)}`,
    '',
    `Run at ${report.date.toISOString()} with \`${report.command}\`.`,
    '',
    '## Machine',
    '',
    kv(report.machine),
    '',
    '## Versions',
    '',
    kv(report.versions),
    '',
    '## Settings',
    '',
    kv(report.settings),
    '',
    'Fairness:',
    '',
    ...report.fairness.map((line) => `- ${line}`),
    '',
    'What runs:',
    '',
    ...report.targets.map((t) => `- **${t.label}**: ${t.how}`),
    '',
    '## Max throughput (closed loop, wrk)',
    '',
    markdownTable(MAX_HEADER, report.maxRuns.map(maxRow)),
    '',
    'Peak RSS: highest sum of VmRSS over the target\'s process tree, sampled every 200 ms during the measured phase. CPU cores: user + system CPU time of that tree during the measured phase divided by its duration (for `direct`, the upstream nginx); CPU µs per request: that divided by req/s, the cost of one request whatever share of the machine the target got.',
    '',
  ];
  const details = report.maxRuns.filter((run) => run.result);
  if (details.length > 0) {
    out.push(
      markdownTable(
        ['target', 'requests', 'non-2xx/3xx', 'socket errors (connect/read/write/timeout)', 'VmHWM MiB (since start, incl. warm-up)', 'processes', 'CPU cores', 'CPU µs per request'],
        details.map((run) => {
          const r = run.result as WrkResult;
          const s = r.socketErrors;
          return [
            run.label,
            String(r.requests),
            String(r.non2xx),
            `${s.connect}/${s.read}/${s.write}/${s.timeout}`,
            run.rss ? fixed(mib(run.rss.hwmKiB), 1) : '-',
            run.rss ? String(run.rss.pids.length) : '-',
            cpuText(run.cpuCores),
            microsPerRequest(run.cpuCores, r.requestsPerSec),
          ];
        }),
      ),
      '',
    );
  }
  if (report.rateRuns.length > 0) {
    out.push(
      `## Fixed rate (open loop, ${report.rate} req/s)`,
      '',
      markdownTable(rateHeader(report.rate), report.rateRuns.map(rateRow)),
      '',
    );
  }
  const ratioText = ratioLines(report);
  if (ratioText.length > 0) out.push('## Throughput ratios', '', ...ratioText.map((line) => `- ${line}`), '');
  out.push(...telemetryMarkdown(report));
  out.push(
    '## Targets',
    '',
    markdownTable(['goal', 'result', 'measured'], list.map((c) => [c.goal, c.status, c.detail]), false),
    '',
    `Result: **${overall(list)}**`,
    '',
  );
  const failures = [...report.maxRuns, ...report.rateRuns].filter((run) => run.error);
  if (failures.length > 0) {
    out.push('## Failures', '');
    for (const run of failures) {
      out.push(`### ${run.label}`, '', run.error ?? '', '');
      if (run.tail) out.push('```', run.tail, '```', '');
    }
  }
  out.push('## Generated configurations', '');
  for (const config of report.configs) {
    out.push(`<details><summary>${config.label}: ${config.file}</summary>`, '', '```', config.text.trimEnd(), '```', '', '</details>', '');
  }
  return out.join('\n');
}
