import { describe, expect, it } from 'vitest';
import { CalibrateError } from './calibrate-error.ts';
import { parseRunSummary, runHost } from './run-summary.ts';

const valid = {
  format: 'lookout-k6-summary',
  version: 1,
  profile: 'stress',
  target: { url: 'http://127.0.0.1:8080/', host: 'API.example:8080' },
  slo: { availability: 0.999, p99Ms: 250 },
  settings: {},
  scenarioStartMs: 1_000,
  endedAtMs: 5_000,
  steps: [{ label: '0', rate: 10, fromMs: 0, toMs: 1000, startMs: 1000, endMs: 2000, client: { requests: 10, failedRate: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1, maxMs: 1 } }],
  totals: { requests: 10, failed: 0, droppedIterations: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1 },
  passed: true,
};

function codeOf(text: string): string {
  try {
    parseRunSummary(text, 'run.json');
  } catch (error) {
    return `${(error as CalibrateError).code}: ${(error as Error).message}`;
  }
  return 'accepted';
}

describe('parseRunSummary', () => {
  it('accepts a profile summary and knows its host', () => {
    const summary = parseRunSummary(JSON.stringify(valid), 'run.json');
    expect(runHost(summary)).toBe('api.example');
    expect(runHost({ ...summary, target: { url: 'http://Svc.local:9000/x', host: null } })).toBe('svc.local');
  });

  it('says what is wrong, naming the file', () => {
    expect(codeOf('{"format": "lookout-k6-sum')).toMatch(/^CALIBRATE_SUMMARY_INVALID: summary run.json: not valid JSON, truncated\?/);
    expect(codeOf('  ')).toContain('the file is empty');
    expect(codeOf('{"root_group": {}}')).toContain('not a summary of a lookout k6 profile');
    expect(codeOf(JSON.stringify({ ...valid, scenarioStartMs: null }))).toContain('never started');
    expect(codeOf(JSON.stringify({ ...valid, steps: [{ label: '0' }] }))).toMatch(/steps\.0\.rate/);
  });
});
