import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CalibrateError } from './calibrate-error.ts';

/** `format` of the summaries written by the k6 profiles in load-tests/ (lib/summary.js). */
export const RUN_SUMMARY_FORMAT = 'lookout-k6-summary';
export const RUN_SUMMARY_VERSION = 1;

const ms = z.number().nonnegative();
const nullableNumber = z.number().nullable();

/** k6's client-side figures of one step (k6 interpolates its percentiles). */
const clientFigures = z.object({
  requests: z.number().int().nonnegative(),
  failedRate: nullableNumber,
  p50Ms: nullableNumber,
  p95Ms: nullableNumber,
  p99Ms: nullableNumber,
  maxMs: nullableNumber,
});

const step = z.object({
  label: z.string().min(1),
  /** Arrival rate during the step, per second. */
  rate: z.number().positive(),
  fromMs: ms,
  toMs: ms,
  /** Absolute start and end, epoch ms. */
  startMs: z.number().positive(),
  endMs: z.number().positive(),
  client: clientFigures,
});

/** The part of a profile's summary that `calibrate` reads; other fields are kept as they are. */
export const runSummarySchema = z.object({
  format: z.literal(RUN_SUMMARY_FORMAT),
  version: z.literal(RUN_SUMMARY_VERSION),
  profile: z.string().min(1),
  target: z.object({ url: z.string().min(1), host: z.string().nullable() }),
  slo: z.object({ availability: z.number().gt(0).lt(1), p99Ms: z.number().positive() }),
  settings: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  scenarioStartMs: z.number().positive(),
  endedAtMs: z.number().positive(),
  steps: z.array(step).min(1),
  totals: z.object({
    requests: z.number().int().nonnegative(),
    failed: z.number().nonnegative(),
    droppedIterations: z.number().nonnegative(),
    p50Ms: nullableNumber,
    p95Ms: nullableNumber,
    p99Ms: nullableNumber,
  }),
  passed: z.boolean(),
});

/** A k6 run as its summary file describes it. */
export type RunSummary = z.infer<typeof runSummarySchema>;
/** One measured step of the run (constant arrival rate). */
export type RunStep = RunSummary['steps'][number];

/** The host the run's requests carried: the Host header, else the URL's host. */
export function runHost(summary: RunSummary): string {
  if (summary.target.host !== null) return summary.target.host.toLowerCase().replace(/:\d+$/, '');
  try {
    return new URL(summary.target.url).hostname.toLowerCase();
  } catch {
    return summary.target.url;
  }
}

/**
 * Reads and validates a summary file. Throws {@link CalibrateError}: `CALIBRATE_SUMMARY_UNREADABLE`
 * when the file is missing, `CALIBRATE_SUMMARY_INVALID` when it is not JSON (e.g. truncated), not a
 * lookout summary, or its run never started.
 */
export function readRunSummary(file: string): RunSummary {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CalibrateError('CALIBRATE_SUMMARY_UNREADABLE', `summary ${file}: cannot read it (${reason}); pass the file a profile wrote (SUMMARY_FILE)`, { cause: error });
  }
  return parseRunSummary(text, file);
}

/** Validates summary text; `file` names it in errors. */
export function parseRunSummary(text: string, file: string): RunSummary {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const hint = text.trim() === '' ? 'the file is empty' : `not valid JSON, truncated? (${(error as Error).message})`;
    throw new CalibrateError('CALIBRATE_SUMMARY_INVALID', `summary ${file}: ${hint}`, { cause: error });
  }
  const format = (data as { format?: unknown } | null)?.format;
  if (typeof data !== 'object' || data === null || format !== RUN_SUMMARY_FORMAT) {
    throw new CalibrateError(
      'CALIBRATE_SUMMARY_INVALID',
      `summary ${file}: not a summary of a lookout k6 profile (expected "format": "${RUN_SUMMARY_FORMAT}", got ${JSON.stringify(format) ?? 'none'}); run the profiles in load-tests/, which write it`,
    );
  }
  if ((data as { scenarioStartMs?: unknown }).scenarioStartMs === null) {
    throw new CalibrateError('CALIBRATE_SUMMARY_INVALID', `summary ${file}: the run never started (no iteration ran), so it has no time span to read`);
  }
  const result = runSummarySchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new CalibrateError('CALIBRATE_SUMMARY_INVALID', `summary ${file}: not a valid summary:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
