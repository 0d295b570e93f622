import type { CalibrationReport } from './calibrate.ts';

const WIDTH = 960;
const HEIGHT = 640;
const LEFT = 70;
const RIGHT = 70;
const TOP_PANEL = { top: 50, bottom: 330 };
const LOW_PANEL = { top: 400, bottom: 580 };
const COLORS = { p50: '#1f77b4', p95: '#ff7f0e', p99: '#d62728', k6p99: '#7f7f7f', throughput: '#2ca02c', errors: '#d62728', knee: '#9467bd', limit: '#8c564b' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick values: 1, 2, 5 × powers of ten covering [min, max]. */
function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v <= max * (1 + 1e-9); v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function format(value: number): string {
  if (value >= 1000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/**
 * The operating range as an SVG chart: latency percentiles (log scale) against the offered rate
 * with the knee and the latency limits marked, and below it the achieved throughput and the
 * error rate against the same rate axis.
 */
export function chartSvg(report: CalibrationReport): string {
  const steps = report.steps.filter((s) => s.events > 0);
  const maxRate = Math.max(1, ...report.steps.map((s) => s.rate), ...steps.map((s) => s.throughput));
  const xTicks = linearTicks(maxRate);
  const xMax = xTicks[xTicks.length - 1] ?? maxRate;
  const x = (rate: number): number => LEFT + ((WIDTH - LEFT - RIGHT) * rate) / xMax;

  const limits = report.slos.flatMap((slo) => {
    const match = /^p(50|95|99) <= ([\d.]+) ms/.exec(slo.description);
    return match === null ? [] : [{ label: `${slo.name}: ${match[0]}`, ms: Number(match[2]) }];
  });
  if (report.recommendation !== null) limits.push({ label: `recommended p99 <= ${report.recommendation.p99LimitMs} ms`, ms: report.recommendation.p99LimitMs });
  const latencies = steps.flatMap((s) => [s.p50Ms, s.p95Ms, s.p99Ms, s.client.p99Ms]).filter((v): v is number => v !== null && v > 0);
  const lowest = Math.min(...latencies, ...limits.map((l) => l.ms));
  const highest = Math.max(...latencies, ...limits.map((l) => l.ms));
  const yMinExp = Math.floor(Math.log10(Number.isFinite(lowest) ? lowest : 0.1));
  const yMaxExp = Math.max(yMinExp + 1, Math.ceil(Math.log10(Number.isFinite(highest) ? highest : 10)));
  const yLat = (ms: number): number =>
    TOP_PANEL.bottom - ((TOP_PANEL.bottom - TOP_PANEL.top) * (Math.log10(Math.max(ms, 10 ** yMinExp)) - yMinExp)) / (yMaxExp - yMinExp);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">${escape(`${report.run.profile} run against ${report.run.host}, ${report.run.startedAt.slice(0, 16).replace('T', ' ')} UTC`)}</text>`,
  ];
  const panelFrame = (panel: { top: number; bottom: number }): void => {
    parts.push(`<rect x="${LEFT}" y="${panel.top}" width="${WIDTH - LEFT - RIGHT}" height="${panel.bottom - panel.top}" fill="none" stroke="#999"/>`);
    for (const t of xTicks) {
      parts.push(`<line x1="${x(t)}" y1="${panel.top}" x2="${x(t)}" y2="${panel.bottom}" stroke="#eee"/>`);
      parts.push(`<text x="${x(t)}" y="${panel.bottom + 15}" text-anchor="middle">${format(t)}</text>`);
    }
  };

  // Top panel: latency.
  panelFrame(TOP_PANEL);
  for (let e = yMinExp; e <= yMaxExp; e++) {
    const y = yLat(10 ** e);
    parts.push(`<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end">${format(10 ** e)}</text>`);
  }
  parts.push(`<text x="18" y="${(TOP_PANEL.top + TOP_PANEL.bottom) / 2}" transform="rotate(-90 18 ${(TOP_PANEL.top + TOP_PANEL.bottom) / 2})" text-anchor="middle">latency, ms (log scale)</text>`);
  const series = (pick: (s: (typeof steps)[number]) => number | null, color: string, dash = ''): void => {
    const points = steps.flatMap((s) => {
      const v = pick(s);
      return v === null || v <= 0 ? [] : [`${x(s.rate).toFixed(1)},${yLat(v).toFixed(1)}`];
    });
    if (points.length === 0) return;
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>`);
    for (const p of points) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
    }
  };
  series((s) => s.p50Ms, COLORS.p50);
  series((s) => s.p95Ms, COLORS.p95);
  series((s) => s.p99Ms, COLORS.p99);
  series((s) => s.client.p99Ms, COLORS.k6p99, '2 3');
  for (const limit of limits) {
    const y = yLat(limit.ms);
    parts.push(`<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="${COLORS.limit}" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${WIDTH - RIGHT - 4}" y="${y - 4}" text-anchor="end" fill="${COLORS.limit}">${escape(limit.label)}</text>`);
  }
  if (report.knee !== null) {
    const kx = x(report.knee.rate);
    parts.push(`<line x1="${kx}" y1="${TOP_PANEL.top}" x2="${kx}" y2="${LOW_PANEL.bottom}" stroke="${COLORS.knee}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${kx + 4}" y="${TOP_PANEL.top + 14}" fill="${COLORS.knee}">${escape(`knee ${report.knee.rate.toFixed(0)}/s (${report.knee.metric})`)}</text>`);
  }
  const legend = [
    ['p50', COLORS.p50, ''],
    ['p95', COLORS.p95, ''],
    ['p99', COLORS.p99, ''],
    ['k6 p99 (client)', COLORS.k6p99, '2 3'],
  ] as const;
  legend.forEach(([label, color, dash], i) => {
    const lx = LEFT + 10 + i * 130;
    parts.push(`<line x1="${lx}" y1="${TOP_PANEL.top - 10}" x2="${lx + 20}" y2="${TOP_PANEL.top - 10}" stroke="${color}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>`);
    parts.push(`<text x="${lx + 25}" y="${TOP_PANEL.top - 6}">${label}</text>`);
  });

  // Lower panel: throughput and errors.
  panelFrame(LOW_PANEL);
  const yTicks = linearTicks(maxRate, 4);
  const yMax = yTicks[yTicks.length - 1] ?? maxRate;
  const yThr = (v: number): number => LOW_PANEL.bottom - ((LOW_PANEL.bottom - LOW_PANEL.top) * v) / yMax;
  for (const t of yTicks) parts.push(`<text x="${LEFT - 6}" y="${yThr(t) + 4}" text-anchor="end">${format(t)}</text>`);
  const maxError = Math.max(0, ...steps.map((s) => s.errorRate ?? 0));
  const errorTicks = linearTicks(Math.max(maxError * 100, 0.1), 4);
  const errorMax = (errorTicks[errorTicks.length - 1] ?? 1) / 100;
  const yErr = (v: number): number => LOW_PANEL.bottom - ((LOW_PANEL.bottom - LOW_PANEL.top) * v) / errorMax;
  for (const t of errorTicks) parts.push(`<text x="${WIDTH - RIGHT + 6}" y="${yErr(t / 100) + 4}" fill="${COLORS.errors}">${t} %</text>`);
  const barWidth = Math.max(3, (WIDTH - LEFT - RIGHT) / Math.max(1, report.steps.length) / 3);
  for (const s of steps) {
    if (s.errorRate === null || s.errorRate === 0) continue;
    parts.push(`<rect x="${x(s.rate) - barWidth / 2}" y="${yErr(s.errorRate)}" width="${barWidth}" height="${LOW_PANEL.bottom - yErr(s.errorRate)}" fill="${COLORS.errors}" fill-opacity="0.5"/>`);
  }
  parts.push(`<line x1="${x(0)}" y1="${yThr(0)}" x2="${x(yMax)}" y2="${yThr(yMax)}" stroke="#bbb" stroke-dasharray="3 3"/>`);
  const thr = steps.map((s) => `${x(s.rate).toFixed(1)},${yThr(s.throughput).toFixed(1)}`);
  if (thr.length > 0) parts.push(`<polyline points="${thr.join(' ')}" fill="none" stroke="${COLORS.throughput}" stroke-width="2"/>`);
  parts.push(`<text x="${LEFT + 10}" y="${LOW_PANEL.top - 8}"><tspan fill="${COLORS.throughput}">achieved throughput, req/s</tspan> (dashed: = offered)   <tspan fill="${COLORS.errors}">bars: error rate, % (right axis)</tspan></text>`);
  parts.push(`<text x="${(LEFT + WIDTH - RIGHT) / 2}" y="${LOW_PANEL.bottom + 34}" text-anchor="middle">offered arrival rate, req/s</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
