// The machine-readable summary every profile writes at the end (k6 `handleSummary`), read by
// `calibrate` and the test suite. Format "lookout-k6-summary", version 1; see README.md.
import { envString } from './env.js';
import { STEP_SUB_METRIC_THRESHOLDS } from './schedule.js';

/** Name and version of the summary format. */
export const SUMMARY_FORMAT = 'lookout-k6-summary';
export const SUMMARY_VERSION = 1;

/** Trend statistics k6 computes for the summary (k6 interpolates between ranks). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)', 'count'];

/**
 * @typedef {import('./schedule.js').Step} Step
 * @typedef {import('./target.js').Target} Target
 * @typedef {import('./slo-thresholds.js').SloSettings} SloSettings
 * @typedef {{ type: string, contains?: string, values: Record<string, number>, thresholds?: Record<string, { ok: boolean }> }} SummaryMetric
 * @typedef {{ metrics: Record<string, SummaryMetric>, state?: { testRunDurationMs?: number } }} SummaryData
 */

/**
 * @param {SummaryData} data
 * @param {string} name
 * @param {string} stat
 * @returns {number | null}
 */
function stat(data, name, stat) {
  const value = data.metrics[name]?.values[stat];
  return value === undefined || !Number.isFinite(value) ? null : value;
}

/**
 * Request figures of the whole run (`selector` empty) or of a tagged sub-metric such as `{step:3}`.
 * @param {SummaryData} data
 * @param {string} selector
 */
function requestFigures(data, selector) {
  const duration = `http_req_duration${selector}`;
  return {
    requests: stat(data, `http_reqs${selector}`, 'count') ?? 0,
    failedRate: stat(data, `http_req_failed${selector}`, 'rate'),
    p50Ms: stat(data, duration, 'p(50)'),
    p95Ms: stat(data, duration, 'p(95)'),
    p99Ms: stat(data, duration, 'p(99)'),
    maxMs: stat(data, duration, 'max'),
  };
}

/**
 * Every threshold of the run with its result, leaving out the always-passing per-step ones.
 * @param {SummaryData} data
 */
function thresholdResults(data) {
  /** @type {Array<{ metric: string, threshold: string, ok: boolean }>} */
  const results = [];
  for (const [metric, body] of Object.entries(data.metrics)) {
    for (const [threshold, result] of Object.entries(body.thresholds ?? {})) {
      if (metric.includes('{step:') && STEP_SUB_METRIC_THRESHOLDS.has(threshold)) continue;
      results.push({ metric, threshold, ok: result.ok });
    }
  }
  return results;
}

/**
 * What `handleSummary` returns: the JSON summary at `SUMMARY_FILE` (default
 * `<profile>-summary.json` in the working directory) and a short text on stdout.
 * @param {SummaryData} data k6's summary data
 * @param {{ profile: string, target: Target, slo: SloSettings, steps: Step[], settings: Record<string, string | number> }} run
 * @returns {Record<string, string>}
 */
export function summaryOutputs(data, run) {
  const file = envString('SUMMARY_FILE', `${run.profile}-summary.json`);
  const scenarioStartMs = stat(data, 'lookout_scenario_start_ms', 'value');
  const totals = {
    ...requestFigures(data, ''),
    failed: stat(data, 'http_req_failed', 'passes') ?? 0,
    droppedIterations: stat(data, 'dropped_iterations', 'count') ?? 0,
    vusMax: stat(data, 'vus_max', 'max'),
    checksRate: stat(data, 'checks', 'rate'),
  };
  const thresholds = thresholdResults(data);
  const summary = {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    profile: run.profile,
    target: { url: run.target.url, host: run.target.host ?? null },
    slo: run.slo,
    settings: run.settings,
    scenarioStartMs,
    endedAtMs: Date.now(),
    testRunDurationMs: data.state?.testRunDurationMs ?? null,
    steps: run.steps.map((step) => ({
      ...step,
      startMs: scenarioStartMs === null ? null : scenarioStartMs + step.fromMs,
      endMs: scenarioStartMs === null ? null : scenarioStartMs + step.toMs,
      client: requestFigures(data, `{step:${step.label}}`),
    })),
    totals,
    thresholds,
    passed: thresholds.every((t) => t.ok),
    k6: { metrics: data.metrics },
  };
  return { [file]: JSON.stringify(summary, null, 2) + '\n', stdout: summaryText(summary, file) };
}

/**
 * @param {number | null} value
 * @param {number} [digits]
 */
function fixed(value, digits = 2) {
  return value === null ? '-' : value.toFixed(digits);
}

/**
 * @param {{ profile: string, totals: ReturnType<typeof requestFigures> & { failed: number, droppedIterations: number }, thresholds: Array<{ metric: string, threshold: string, ok: boolean }>, passed: boolean, steps: Array<Step & { client: ReturnType<typeof requestFigures> }> }} summary
 * @param {string} file
 */
function summaryText(summary, file) {
  const t = summary.totals;
  const lines = [
    '',
    `lookout ${summary.profile}: ${t.requests} requests, ${t.failed} failed (${fixed((t.failedRate ?? 0) * 100, 3)} %), ` +
      `p50 ${fixed(t.p50Ms)} ms, p95 ${fixed(t.p95Ms)} ms, p99 ${fixed(t.p99Ms)} ms, max ${fixed(t.maxMs)} ms, dropped iterations ${t.droppedIterations}`,
  ];
  if (summary.steps.length > 1) {
    lines.push('  step  rate/s  requests  failed %   p50 ms   p95 ms   p99 ms');
    for (const s of summary.steps) {
      lines.push(
        `  ${s.label.padStart(4)}  ${String(s.rate).padStart(6)}  ${String(s.client.requests).padStart(8)}  ${fixed((s.client.failedRate ?? 0) * 100, 3).padStart(8)}` +
          `  ${fixed(s.client.p50Ms).padStart(7)}  ${fixed(s.client.p95Ms).padStart(7)}  ${fixed(s.client.p99Ms).padStart(7)}`,
      );
    }
  }
  for (const th of summary.thresholds) lines.push(`  ${th.ok ? 'ok  ' : 'FAIL'} ${th.metric}: ${th.threshold}`);
  lines.push(`  thresholds ${summary.passed ? 'passed' : 'FAILED'}; summary written to ${file}`, '');
  return lines.join('\n');
}
