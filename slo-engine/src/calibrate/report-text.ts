import type { CalibrationReport } from './calibrate.ts';
import type { SloLimit } from './slo-limit.ts';

const num = (value: number | null, digits = 2): string => (value === null ? '-' : value.toFixed(digits));
const pct = (value: number | null, digits = 3): string => (value === null ? '-' : `${(value * 100).toFixed(digits)}`);

function limitText(limit: SloLimit): string {
  switch (limit.kind) {
    case 'above-range':
      return `holds at every tested rate (>= ${limit.rate}/s)`;
    case 'below-range':
      return `fails already at the lowest tested rate (${limit.rate}/s)`;
    case 'within-range':
      return `holds up to ${limit.rate.toFixed(0)}/s (last holding step ${limit.lastHoldingRate}/s, first failing ${limit.firstFailingRate}/s)`;
    case 'no-data':
      return 'no data';
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** The report as plain text: run, steps table, knee, SLO limits, binding resource, recommendation. */
export function reportText(report: CalibrationReport): string {
  const r = report.run;
  const out: string[] = [
    `lookout calibrate: ${r.profile} run against ${r.host}`,
    `  run        ${r.startedAt} .. ${r.endedAt}`,
    `  summary    ${r.summaryFile} (k6: ${r.k6.requests} requests, ${r.k6.failed} failed, ${r.k6.droppedIterations} dropped iterations, thresholds ${r.k6.thresholdsPassed ? 'passed' : 'failed'})`,
    `  events     ${r.events}: ${report.span.eventsRead} read, ${report.span.targetEvents} for ${r.host}, ${report.span.eventsInSteps} inside steps, ${report.span.probes} probes`,
    '',
    'Steps (latency = event.duration at the proxy, exact nearest-rank percentiles; k6 = client side)',
    ...table(
      ['step', 'offered/s', 'achieved/s', 'events', 'errors %', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'upstream ms', 'overhead ms', 'k6 p50', 'k6 p99', 'events/req'],
      report.steps.map((s) => [
        s.label,
        String(s.rate),
        num(s.throughput, 0),
        String(s.events),
        pct(s.errorRate),
        num(s.p50Ms),
        num(s.p95Ms),
        num(s.p99Ms),
        num(s.maxMs),
        num(s.meanUpstreamMs),
        num(s.meanOverheadMs),
        num(s.client.p50Ms),
        num(s.client.p99Ms),
        num(s.eventsPerRequest, 3),
      ]),
    ).map((l) => `  ${l}`),
    '  (upstream / overhead: mean time in the upstream exchange and around it, over events that reached an upstream)',
    '',
    'Operating range',
  ];
  const k = report.knee;
  out.push(
    k === null
      ? '  knee              none found within the tested range'
      : `  knee              ${k.rate.toFixed(0)}/s on ${k.metric} (last step on the linear trend ${k.lastLinearRate}/s, first above it ${k.firstDepartingRate}/s; trend ${k.trend.intercept.toFixed(3)} ms + ${(k.trend.slope * 1000).toFixed(4)} ms per 1000/s)`,
  );
  out.push(
    report.saturation === null
      ? '  saturation        none: every step achieved >= 95 % of its offered rate'
      : `  saturation        at ${report.saturation.rate}/s offered only ${report.saturation.throughput.toFixed(0)}/s were served`,
  );
  const e = report.errorOnset;
  out.push(`  error onset       ${e.firstErrorRate === null ? 'no errors at any step' : `first errors at ${e.firstErrorRate}/s`}; error rate above the ${(e.budget * 100).toPrecision(3)} % budget ${e.budgetExceededRate === null ? 'at no step' : `from ${e.budgetExceededRate}/s`}`);
  for (const slo of report.slos) out.push(`  SLO ${slo.name.padEnd(14)} ${slo.description}: ${limitText(slo.limit)}`);
  out.push('', `Binding resource: ${report.binding.summary}`, ...report.binding.evidence.map((line) => `  - ${line}`));
  const rec = report.recommendation;
  if (rec !== null) {
    out.push(
      '',
      'Recommendation',
      `  max sustained rate ${rec.maxSustainedRate}/s (first limit: ${rec.firstLimit}${rec.firstLimitRate === undefined ? '' : ` at ${rec.firstLimitRate.toFixed(0)}/s`})`,
      ...rec.reasons.map((line) => `  - ${line}`),
      `  expected levels at ${rec.maxSustainedRate}/s: p99 ${num(rec.expectedLevels.p99)}, error rate ${num(rec.expectedLevels.errorRate)} (green <= 0.6)`,
      `  k6 thresholds: -e SLO_AVAILABILITY=${rec.k6Env.SLO_AVAILABILITY} -e SLO_P99_MS=${rec.k6Env.SLO_P99_MS}`,
      '',
      'SLO spec (YAML):',
      ...rec.yaml.trimEnd().split('\n').map((line) => `  ${line}`),
    );
  }
  if (report.notes.length > 0) out.push('', 'Notes', ...report.notes.map((n) => `  - ${n}`));
  return `${out.join('\n')}\n`;
}
