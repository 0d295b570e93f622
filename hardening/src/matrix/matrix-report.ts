import type { ScenarioResult } from './scenario-result.ts';

/** One fault-matrix run: where, when, with what settings, and its rows. */
export interface MatrixRun {
  readonly startedAt: string;
  readonly machine: { readonly host: string; readonly cpus: number; readonly memoryGiB: number; readonly node: string; readonly loadAverage: readonly number[] };
  readonly command: string;
  readonly rate: number;
  readonly durationS: number;
  readonly results: readonly ScenarioResult[];
}

const HEADER = ['scenario', 'errors GET / other', 'events sent / stored / lost / dup', 'notifications exp / recv / dup', 'recovery s', 'verdict'];

/** The table's cells for one row. */
function cells(result: ScenarioResult): string[] {
  const { client, events, notifications } = result;
  const gap = client.gapErrors > 0 ? ` (+${client.gapErrors} in gap)` : '';
  return [
    result.name,
    `${client.getErrors} / ${client.otherErrors}${gap}`,
    `${events.expected} / ${events.stored} / ${events.lost} / ${events.duplicated}`,
    `${notifications.expected.length} / ${notifications.received.length} / ${notifications.duplicated}`,
    Number.isNaN(result.recoveryS) ? '-' : result.recoveryS.toFixed(1),
    result.verdict,
  ];
}

/** A fixed-width table for the terminal. */
export function formatMatrixTable(results: readonly ScenarioResult[]): string {
  const rows = [HEADER, ...results.map(cells)];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [line(HEADER), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The Markdown report: the table, the legend, and per scenario its reasons and notes. */
export function formatMatrixMarkdown(run: MatrixRun): string {
  const row = (values: readonly string[]): string => `| ${values.join(' | ')} |`;
  const lines = [
    `# Fault matrix, ${run.startedAt.slice(0, 10)}, ${run.machine.host}`,
    '',
    `Command: \`${run.command}\`  `,
    `Machine: ${run.machine.cpus} CPUs, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}, load average at start ${run.machine.loadAverage.map((value) => value.toFixed(2)).join(' ')} (shared machine)  `,
    `Load: ${run.rate} requests/s per scenario (every 10th a POST), ${run.durationS} s per scenario at least; loopback only.`,
    '',
    row(HEADER),
    row(HEADER.map(() => '---')),
    ...run.results.map((result) => row(cells(result))),
    '',
    '- **errors GET / other**: requests the client saw fail (no response, a truncated body, or a status >= 500 it did not ask for), idempotent GETs and POSTs; target 0 for GETs. Requests that asked the upstream for a 503 on purpose (to drive an SLO) are not errors. "in gap": failures inside the expected gap of a single proxy restarting.',
    '- **events sent / stored / lost / dup**: requests the proxy answered (the client got headers, so the proxy must have recorded an event) / distinct request ids found in Elasticsearch / answered requests with no event / ids with more than one event; targets lost 0, dup 0.',
    '- **notifications exp / recv / dup**: state-change notifications the scenario should cause / distinct ones the webhook receiver accepted / webhook-ids accepted more than once; targets recv = exp, dup 0.',
    '- **recovery s**: per scenario, see below.',
    '',
  ];
  for (const result of run.results) {
    lines.push(`## ${result.name}: ${result.title}`, '');
    lines.push(`- verdict: **${result.verdict}**${result.reasons.length ? `: ${result.reasons.join('; ')}` : ''}`);
    lines.push(`- client: ${result.client.sent} requests in ${result.durationS} s, ${result.client.answered} answered, ${result.client.injected} asked for a 503 on purpose`);
    const kinds = Object.entries(result.client.errorKinds);
    if (kinds.length > 0) lines.push(`- client errors by kind: ${kinds.map(([kind, count]) => `${kind}: ${count}`).join(', ')}`);
    lines.push(`- notifications: expected [${result.notifications.expected.join(', ')}], received [${result.notifications.received.join(', ')}]`);
    lines.push(`- recovery: ${Number.isNaN(result.recoveryS) ? '-' : `${result.recoveryS.toFixed(2)} s`} (${result.recoveryMeaning})`);
    for (const note of result.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  return lines.join('\n');
}
