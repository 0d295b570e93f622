import type { LineFit } from './flatness.ts';

/** One panel of the chart: a series over minutes, with the trend line fitted over `fitFrom`.. the end. */
export interface ChartPanel {
  readonly title: string;
  readonly unit: string;
  readonly minutes: readonly number[];
  readonly values: readonly number[];
  readonly fit?: { readonly line: LineFit; readonly from: number; readonly to: number };
}

const WIDTH = 900;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 30 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A self-contained SVG with one panel per series stacked vertically (no scripts, no fonts to load). */
export function renderSoakChart(panels: readonly ChartPanel[]): string {
  const height = panels.length * PANEL_HEIGHT;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`, `<rect width="${WIDTH}" height="${height}" fill="white"/>`];
  panels.forEach((panel, index) => {
    const top = index * PANEL_HEIGHT + MARGIN.top;
    const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
    const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
    const finite = panel.values.filter(Number.isFinite);
    const maxX = Math.max(1e-9, ...panel.minutes);
    const minY = Math.min(0, ...finite);
    const maxY = Math.max(minY + 1e-9, ...finite) * 1.1;
    const x = (minute: number): number => MARGIN.left + (minute / maxX) * plotWidth;
    const y = (value: number): number => top + plotHeight - ((value - minY) / (maxY - minY)) * plotHeight;
    parts.push(`<text x="${MARGIN.left}" y="${top - 10}" font-weight="bold">${escape(panel.title)} (${escape(panel.unit)})</text>`);
    parts.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#ccc"/>`);
    for (const fraction of [0, 0.5, 1]) {
      const value = minY + fraction * (maxY - minY);
      parts.push(`<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end" fill="#555">${value.toFixed(value >= 100 ? 0 : 1)}</text>`);
    }
    for (let minute = 0; minute <= maxX; minute += maxX > 20 ? 5 : 1) {
      parts.push(`<text x="${x(minute)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#555">${minute} min</text>`);
    }
    const points = panel.minutes.flatMap((minute, i) => (Number.isFinite(panel.values[i]) ? [`${x(minute).toFixed(1)},${y(panel.values[i]!).toFixed(1)}`] : []));
    parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="${points.join(' ')}"/>`);
    if (panel.fit !== undefined) {
      const { line, from, to } = panel.fit;
      parts.push(`<line x1="${x(from)}" y1="${y(line.intercept + line.slope * from)}" x2="${x(to)}" y2="${y(line.intercept + line.slope * to)}" stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/>`);
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
