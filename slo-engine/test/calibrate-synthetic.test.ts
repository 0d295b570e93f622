import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReport, runCalibrateCli } from './calibrate-cli.ts';
import { writeSyntheticRun } from './calibrate-synthetic-run.ts';

// The upstream's latency as a known function of the arrival rate: linear up to the knee K, then
// rising 51 times faster (a slope break: "faster than linearly" from K on, exactly).
const KNEE = 2300;
const baseMs = (rate: number): number => 2 + 0.001 * rate + (rate > KNEE ? 0.05 * (rate - KNEE) : 0);
// Within a step, durations spread uniformly from 0.5x to 1.5x the base: the exact p99 is ~1.49x.
const P99_FACTOR = 1.49;
const P99_LIMIT_MS = 50;
// The highest rate at which p99 <= 50 ms: 1.49 × baseMs(r) = 50, solved for r above the knee.
const TRUE_P99_LIMIT_RATE = (P99_LIMIT_MS / P99_FACTOR - 2 + 0.05 * KNEE) / 0.051;
const RATES = Array.from({ length: 20 }, (_, i) => 200 * (i + 1));

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-calibrate-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function specFile(dir: string): string {
  const file = join(dir, 'slos.yaml');
  writeFileSync(
    file,
    [
      'slos:',
      '  - name: synthetic-p99',
      '    service: synthetic',
      `    indicator: { type: threshold, metric: p99, limit: ${P99_LIMIT_MS}, window: 5m }`,
      '  - name: synthetic-availability',
      '    service: synthetic',
      '    indicator: { type: availability }',
      '    objective: 0.999',
      '',
    ].join('\n'),
  );
  return file;
}

describe('calibrate on a synthetic stress run with a known latency curve', () => {
  it('finds the knee and the highest rate holding a p99 SLO within 10 % of the true values', async () => {
    const dir = tempDir();
    const run = await writeSyntheticRun({
      dir,
      rates: RATES,
      holdSeconds: 2,
      latencyMs: (rate, q) => baseMs(rate) * (0.5 + q),
      errorShare: (rate) => (rate >= 3400 ? 0.02 : 0),
    });
    const out = join(dir, 'out');
    const result = runCalibrateCli(['--summary', run.summaryFile, '--events', run.eventsFile, '--slos', specFile(dir), '--out', out]);
    expect(result.stderr).not.toContain('unexpected');
    expect(result.status).toBe(0);
    const report = readReport(out);

    expect(report.span.eventsInSteps).toBe(run.events);
    expect(report.steps).toHaveLength(RATES.length);
    const step1000 = report.steps.find((s) => s.rate === 1000)!;
    expect(step1000.events).toBe(2000);
    expect(step1000.throughput).toBeCloseTo(1000, 6);
    expect(step1000.p99Ms).toBeCloseTo(baseMs(1000) * P99_FACTOR, 1);

    expect(report.knee).not.toBeNull();
    expect(Math.abs(report.knee!.rate - KNEE) / KNEE).toBeLessThan(0.1);
    expect(report.knee!.lastLinearRate).toBeLessThanOrEqual(KNEE);
    expect(report.knee!.firstDepartingRate).toBeGreaterThan(KNEE);

    const p99 = report.slos.find((s) => s.name === 'synthetic-p99')!;
    expect(p99.limit.kind).toBe('within-range');
    const limitRate = (p99.limit as { rate: number }).rate;
    expect(Math.abs(limitRate - TRUE_P99_LIMIT_RATE) / TRUE_P99_LIMIT_RATE).toBeLessThan(0.1);

    // 2 % errors from 3400/s on: availability breaks there, and the onset is reported.
    expect(report.errorOnset.firstErrorRate).toBe(3400);
    const availability = report.slos.find((s) => s.name === 'synthetic-availability')!;
    expect(availability.limit).toMatchObject({ kind: 'within-range', lastHoldingRate: 3200, firstFailingRate: 3400 });

    // The added latency is upstream time (the synthetic overhead is a constant 0.3 ms).
    expect(report.binding.resource).toBe('upstream');

    // The recommendation is a valid spec and keeps 20 % headroom below the first limit (the knee).
    expect(report.recommendation!.firstLimit).toBe('the knee');
    expect(report.recommendation!.maxSustainedRate).toBeLessThanOrEqual(0.8 * report.knee!.rate);
    const yaml = readFileSync(join(out, 'recommended-slos.yaml'), 'utf8');
    expect(yaml).toContain('service: synthetic');
    expect(yaml).toContain(`limit: ${report.recommendation!.p99LimitMs}`);
    const svg = readFileSync(join(out, 'calibration.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('knee');
    expect(readFileSync(join(out, 'calibration.txt'), 'utf8')).toContain('knee');
  });

  it('stays within 10 % when each step carries random noise', async () => {
    const dir = tempDir();
    const run = await writeSyntheticRun({
      dir,
      rates: RATES,
      holdSeconds: 2,
      seed: 42,
      // ±15 % multiplicative noise per request, on top of the spread.
      latencyMs: (rate, q, random) => baseMs(rate) * (0.5 + q) * (0.85 + 0.3 * random()),
    });
    const out = join(dir, 'out');
    const result = runCalibrateCli(['--summary', run.summaryFile, '--events', run.eventsFile, '--slos', specFile(dir), '--out', out]);
    expect(result.status).toBe(0);
    const report = readReport(out);
    expect(Math.abs(report.knee!.rate - KNEE) / KNEE).toBeLessThan(0.1);
    const p99 = report.slos.find((s) => s.name === 'synthetic-p99')!;
    expect(Math.abs((p99.limit as { rate: number }).rate - TRUE_P99_LIMIT_RATE) / TRUE_P99_LIMIT_RATE).toBeLessThan(0.1);
  });
});
