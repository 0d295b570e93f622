import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCalibrateCli } from './calibrate-cli.ts';
import { type SyntheticRun, writeSyntheticRun } from './calibrate-synthetic-run.ts';

let dir: string;
let run: SyntheticRun;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-calibrate-bad-'));
  run = await writeSyntheticRun({ dir, rates: [100, 200, 300], holdSeconds: 1, latencyMs: () => 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs calibrate and expects exit 2 with one `calibrate: CODE: ...` line and no stack trace. */
function expectRefused(args: string[], code: string, ...mentions: string[]): string {
  const result = runCalibrateCli([...args, '--out', join(dir, 'out')]);
  expect(result.status, result.stderr).toBe(2);
  expect(result.stderr).toMatch(new RegExp(`^calibrate: ${code}: `));
  expect(result.stderr).not.toMatch(/\n\s+at /);
  for (const mention of mentions) expect(result.stderr).toContain(mention);
  return result.stderr;
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('calibrate refuses bad input with one clear line', () => {
  it('names a missing summary file', () => {
    const missing = join(dir, 'nope.json');
    expectRefused(['--summary', missing, '--events', run.eventsFile], 'CALIBRATE_SUMMARY_UNREADABLE', missing, 'no such file');
  });

  it('calls a truncated summary truncated', () => {
    const text = readFileSync(run.summaryFile, 'utf8');
    const file = write('truncated.json', text.slice(0, Math.floor(text.length / 2)));
    expectRefused(['--summary', file, '--events', run.eventsFile], 'CALIBRATE_SUMMARY_INVALID', file, 'truncated');
  });

  it('says an empty summary is empty, and a foreign JSON file is not a profile summary', () => {
    expectRefused(['--summary', write('empty.json', ''), '--events', run.eventsFile], 'CALIBRATE_SUMMARY_INVALID', 'empty');
    expectRefused(['--summary', write('k6-default.json', '{"metrics":{}}'), '--events', run.eventsFile], 'CALIBRATE_SUMMARY_INVALID', 'lookout-k6-summary');
  });

  it('lists what is wrong in a summary of the right format', () => {
    const summary = JSON.parse(readFileSync(run.summaryFile, 'utf8')) as { steps: unknown[] };
    summary.steps = [];
    expectRefused(['--summary', write('no-steps.json', JSON.stringify(summary)), '--events', run.eventsFile], 'CALIBRATE_SUMMARY_INVALID', 'steps');
  });

  it('reports a run with no events in its time span', () => {
    const summary = JSON.parse(readFileSync(run.summaryFile, 'utf8')) as { scenarioStartMs: number; endedAtMs: number; steps: { startMs: number; endMs: number }[] };
    const day = 86_400_000;
    summary.scenarioStartMs += day;
    summary.endedAtMs += day;
    for (const step of summary.steps) [step.startMs, step.endMs] = [step.startMs + day, step.endMs + day];
    const file = write('later.json', JSON.stringify(summary));
    expectRefused(['--summary', file, '--events', run.eventsFile], 'CALIBRATE_NO_EVENTS', run.eventsFile, "no request events in the run's time span");
  });

  it('lists the hosts seen when none is the run host', () => {
    expectRefused(['--summary', run.summaryFile, '--events', run.eventsFile, '--host', 'other.test'], 'CALIBRATE_NO_EVENTS', 'other.test', 'synthetic.test');
  });

  it('reports an SLO spec that names nothing in the run, with the services the run has', () => {
    const spec = write('slos.yaml', 'slos:\n  - name: elsewhere\n    service: billing\n    indicator: { type: availability }\n    objective: 0.999\n');
    expectRefused(['--summary', run.summaryFile, '--events', run.eventsFile, '--slos', spec], 'CALIBRATE_SLOS_MATCH_NOTHING', 'elsewhere', 'service billing', 'synthetic (');
  });

  it('passes on the spec validator\'s message for an invalid SLO spec', () => {
    const spec = write('bad-slos.yaml', 'slos:\n  - name: x\n    service: s\n    indicator: { type: availability }\n');
    expectRefused(['--summary', run.summaryFile, '--events', run.eventsFile, '--slos', spec], 'CALIBRATE_SLOS_INVALID', 'bad-slos.yaml', 'objective');
  });

  it('names a missing events file, a file that is not SQLite, and an Elasticsearch that does not answer', () => {
    expectRefused(['--summary', run.summaryFile, '--events', join(dir, 'none.sqlite')], 'CALIBRATE_EVENTS_UNREACHABLE', 'none.sqlite');
    expectRefused(['--summary', run.summaryFile, '--events', run.summaryFile], 'CALIBRATE_EVENTS_UNREACHABLE', 'SQLite');
    expectRefused(['--summary', run.summaryFile, '--events', 'http://127.0.0.1:1'], 'CALIBRATE_EVENTS_UNREACHABLE', 'http://127.0.0.1:1');
  });

  it('explains a wrong command line', () => {
    expectRefused(['--events', run.eventsFile], 'CALIBRATE_USAGE', '--summary');
    expectRefused(['--summary', run.summaryFile, '--events', run.eventsFile, '--knee-metric', 'p42'], 'CALIBRATE_USAGE', 'p42');
    expectRefused(['--summary', run.summaryFile, '--events', run.eventsFile, '--bogus', '1'], 'CALIBRATE_USAGE', '--bogus');
  });
});
