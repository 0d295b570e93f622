// Runs the calibrate command as a user does (a child process), for calibrate's integration tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CalibrationReport } from '../src/calibrate/calibrate.ts';

const MAIN = fileURLToPath(new URL('../src/calibrate/main.ts', import.meta.url));

export interface CalibrateRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node slo-engine/src/calibrate/main.ts ...args`, waited for (at most 60 s). */
export function runCalibrateCli(args: readonly string[]): CalibrateRun {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The JSON report calibrate wrote to `out`. */
export function readReport(out: string): CalibrationReport {
  return JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8')) as CalibrationReport;
}
