import type { RateResult } from './rate.ts';
import { mib, type RssReport } from './rss.ts';
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
};

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
  if (!run.result) return [run.label, 'FAILED', '-', '-', '-', '-', '-'];
  const r = run.result;
  return [
    run.label,
    fixed(r.achievedPerSec, 0),
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    String(r.errors + r.non2xx),
    String(r.dropped),
    run.rss ? fixed(mib(run.rss.maxRssKiB), 1) : '-',
  ];
}

const MAX_HEADER = ['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MiB'];

function rateHeader(rate: number): string[] {
  return ['target', `req/s (asked ${rate})`, 'p50 ms', 'p99 ms', 'errors', 'dropped', 'peak RSS MiB'];
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

/** lookout's throughput divided by each other target's. */
export function ratios(report: Report): Array<{ peer: string; ratio?: number }> {
  const lookout = find(report.maxRuns, 'lookout')?.result?.requestsPerSec;
  if (lookout === undefined) return [];
  return report.maxRuns
    .filter((run) => run.id !== 'lookout')
    .map((run) => ({
      peer: run.label,
      ratio: run.result && run.result.requestsPerSec > 0 ? lookout / run.result.requestsPerSec : undefined,
    }));
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
  const ratioCheck = (id: TargetId, goal: number): Check => {
    const peer = find(report.maxRuns, id);
    const name = `lookout >= ${goal}x ${peer?.label ?? TARGET_LABELS[id]} (throughput)`;
    if (!lookoutMax) return { goal: name, status: 'n/a', detail: 'lookout not run' };
    if (lookoutRps === undefined) return { goal: name, status: 'FAIL', detail: 'lookout failed' };
    if (!peer?.result) return { goal: name, status: 'n/a', detail: peer ? `${peer.label} failed` : `${TARGET_LABELS[id]} not run` };
    const ratio = lookoutRps / peer.result.requestsPerSec;
    return { goal: name, status: ratio >= goal ? 'PASS' : 'FAIL', detail: `${ratio.toFixed(2)}x` };
  };
  const rssCheck = (run: Run<unknown> | undefined, limit: number, phase: string): Check => {
    const name = `lookout peak RSS <= ${limit} MiB ${phase}`;
    if (!run) return { goal: name, status: 'n/a', detail: 'not run' };
    if (!run.result || !run.rss) return { goal: name, status: 'FAIL', detail: 'lookout failed' };
    const value = mib(run.rss.maxRssKiB);
    return { goal: name, status: value <= limit ? 'PASS' : 'FAIL', detail: `${value.toFixed(1)} MiB` };
  };
  const errorsCheck = (): Check => {
    const name = 'lookout answered every request with 2xx (both phases)';
    const runs = [lookoutMax, lookoutRate].filter((run) => run !== undefined);
    if (runs.length === 0) return { goal: name, status: 'n/a', detail: 'not run' };
    let errors = 0;
    for (const run of runs) {
      if (!run.result) return { goal: name, status: 'FAIL', detail: 'lookout failed' };
    }
    if (lookoutMax?.result) errors += wrkErrors(lookoutMax.result);
    if (lookoutRate?.result) errors += lookoutRate.result.errors + lookoutRate.result.non2xx;
    return { goal: name, status: errors === 0 ? 'PASS' : 'FAIL', detail: `${errors} errors` };
  };
  return [
    ratioCheck('fastify', GOALS.vsFastify),
    ratioCheck('haproxy', GOALS.vsHaproxy),
    rssCheck(lookoutMax, GOALS.rssAtMaxMiB, 'at max throughput'),
    rssCheck(lookoutRate, GOALS.rssAtRateMiB, `at ${report.rate} req/s`),
    errorsCheck(),
  ];
}

function overall(list: Check[]): string {
  if (list.some((check) => check.status === 'FAIL')) return 'FAIL';
  if (list.every((check) => check.status === 'PASS')) return 'PASS';
  return 'INCOMPLETE';
}

function ratioLines(report: Report): string[] {
  return ratios(report).map(({ peer, ratio }) => `lookout / ${peer}: ${ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`}`);
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
    'Peak RSS: highest sum of VmRSS over the target\'s process tree, sampled every 200 ms during the measured phase.',
    '',
  ];
  const details = report.maxRuns.filter((run) => run.result);
  if (details.length > 0) {
    out.push(
      markdownTable(
        ['target', 'requests', 'non-2xx/3xx', 'socket errors (connect/read/write/timeout)', 'VmHWM MiB (since start, incl. warm-up)', 'processes'],
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
