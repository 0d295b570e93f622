import type { Flatness } from './flatness.ts';
import type { SoakRun } from './run-soak.ts';
import { renderSoakChart } from './soak-chart-svg.ts';
import { SOAK_CSV_COLUMNS } from './soak-sampler.ts';

/** The samples as CSV, one row per sample, with a header row. */
export function formatSoakCsv(run: SoakRun): string {
  const rows = run.samples.map((sample) => SOAK_CSV_COLUMNS.map((column) => String(sample[column])).join(','));
  return `${[SOAK_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
}

function trendLine(name: string, unit: string, flatness: Flatness): string {
  const perHour = flatness.fit.slope * 60;
  return `| ${name} | ${perHour >= 0 ? '+' : ''}${perHour.toFixed(2)} ${unit}/h | ${flatness.rise.toFixed(2)} ${unit} | ${flatness.fit.residualSd.toFixed(2)} ${unit} | ${flatness.bound.toFixed(2)} ${unit} | ${flatness.flat ? 'flat' : 'RISING'} |`;
}

/** The Markdown summary: verdict, events, trends with their bounds, and the chart. */
export function formatSoakMarkdown(run: SoakRun, files: { readonly csv: string; readonly svg: string }): string {
  const rss = run.samples.map((sample) => sample.rssMiB);
  const p99 = run.samples.map((sample) => sample.eventLoopP99Ms);
  const kinds = Object.entries(run.client.errorKinds);
  return [
    `# Soak, ${run.startedAt.slice(0, 10)}, ${run.machine.host}`,
    '',
    `Command: \`${run.command}\`  `,
    `Machine: ${run.machine.cpus} CPUs, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}, load average at start ${run.machine.loadAverage.map((value) => value.toFixed(2)).join(' ')} (shared machine)  `,
    `Setup: one proxy process (the bundle \`proxy/dist/main.js\` with the flags of \`proxy/node-runtime.json\`), two echo members, telemetry to Elasticsearch (bulk, disk spool), ${run.rate} requests/s (every 10th a POST) for ${run.minutes} min, loopback; sampled every ${run.samples.length > 1 ? Math.round(run.samples[1]!.tS - run.samples[0]!.tS) : '?'} s from the proxy's admin /metrics and /proc.`,
    '',
    `**Verdict: ${run.verdict}**${run.reasons.length ? `: ${run.reasons.join('; ')}` : ''}`,
    '',
    '| what | value |',
    '| --- | --- |',
    `| requests sent / answered / failed | ${run.client.sent} / ${run.client.answered} / ${run.client.errors}${kinds.length ? ` (${kinds.map(([kind, count]) => `${kind}: ${count}`).join(', ')})` : ''} |`,
    `| events expected / stored / lost / duplicated | ${run.events.expected} / ${run.events.stored} / ${run.events.lost} / ${run.events.duplicated} |`,
    `| RSS median / max | ${median(rss).toFixed(1)} / ${Math.max(...rss.filter(Number.isFinite)).toFixed(1)} MiB |`,
    `| event-loop delay p99 median / max (per ${run.samples.length > 1 ? Math.round(run.samples[1]!.tS - run.samples[0]!.tS) : '?'} s window) | ${median(p99).toFixed(2)} / ${Math.max(...p99.filter(Number.isFinite)).toFixed(2)} ms |`,
    '',
    'Trend over the second half (least-squares line; "flat" when its rise over the half is at most max(2 × residual sd, floor); floors: RSS 4 MiB, event-loop p99 2 ms):',
    '',
    '| series | slope | rise over the half | residual sd | bound | |',
    '| --- | --- | --- | --- | --- | --- |',
    trendLine('RSS', 'MiB', run.rss),
    trendLine('event-loop delay p99', 'ms', run.eventLoopP99),
    '',
    ...[
      ['RSS', 'MiB', run.rss] as const,
      ['event-loop delay p99', 'ms', run.eventLoopP99] as const,
    ].flatMap(([name, unit, flatness]) =>
      flatness.flat && flatness.rise > 2 * flatness.fit.residualSd
        ? [`Note: the ${name} rise (${flatness.rise.toFixed(2)} ${unit}) stands out of its noise (2 × residual sd = ${(2 * flatness.fit.residualSd).toFixed(2)} ${unit}) and passes only under the ${flatness.bound.toFixed(0)} ${unit} floor: a longer soak would tell a slow plateau from a leak.`, '']
        : [],
    ),
    'Event-loop delay comes from the proxy\'s `monitorEventLoopDelay` (10 ms resolution, so an idle loop reads ~10 ms), reset at every scrape.',
    '',
    `Samples: [${files.csv}](${files.csv}). Chart (dashed: the fitted trend over the second half):`,
    '',
    `![soak chart](${files.svg})`,
    '',
  ].join('\n');
}

/** The chart: RSS, event-loop delay p99, and the spool (events held on disk). */
export function formatSoakSvg(run: SoakRun): string {
  const minutes = run.samples.map((sample) => sample.tS / 60);
  const half = { from: run.minutes / 2, to: run.minutes };
  return renderSoakChart([
    { title: 'proxy RSS', unit: 'MiB', minutes, values: run.samples.map((sample) => sample.rssMiB), fit: { line: run.rss.fit, ...half } },
    { title: 'event-loop delay p99', unit: 'ms', minutes, values: run.samples.map((sample) => sample.eventLoopP99Ms), fit: { line: run.eventLoopP99.fit, ...half } },
    { title: 'telemetry events in the disk spool', unit: 'events', minutes, values: run.samples.map((sample) => sample.spoolEvents) },
  ]);
}
