import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Slo } from '../model/slo.ts';
import { parseSloSpecText } from '../spec/load-slo-spec.ts';
import { SloSpecError } from '../spec/slo-spec-error.ts';
import { calibrate, type CalibrationReport } from './calibrate.ts';
import { CalibrateError } from './calibrate-error.ts';
import type { CalibrateOptions } from './calibrate-options.ts';
import { chartSvg } from './chart-svg.ts';
import { ElasticsearchEventReader } from './elasticsearch-event-reader.ts';
import { reportText } from './report-text.ts';
import type { RunEventReader } from './run-event.ts';
import { readRunSummary } from './run-summary.ts';
import { SqliteEventReader } from './sqlite-event-reader.ts';

/** Files written to the output directory. */
export const OUTPUT_FILES = { text: 'calibration.txt', json: 'calibration.json', svg: 'calibration.svg', yaml: 'recommended-slos.yaml' } as const;

function readSlos(file: string): Slo[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CalibrateError('CALIBRATE_SLOS_INVALID', `SLO spec ${file}: cannot read it (${(error as Error).message})`, { cause: error });
  }
  try {
    return parseSloSpecText(text, file);
  } catch (error) {
    if (error instanceof SloSpecError) throw new CalibrateError('CALIBRATE_SLOS_INVALID', error.message, { cause: error });
    throw error;
  }
}

/** The reader for `--events`: Elasticsearch for an http(s) URL, the SQLite file otherwise. */
export function eventReader(events: string, index: string | undefined): RunEventReader {
  return /^https?:\/\//i.test(events) ? new ElasticsearchEventReader(events, index) : new SqliteEventReader(events);
}

/**
 * Runs calibrate as the command does: reads the inputs, computes the report and writes the
 * four files. Returns the report and the output directory. Throws {@link CalibrateError}.
 */
export async function runCalibrate(options: CalibrateOptions, progress?: (read: number, total: number) => void): Promise<{ report: CalibrationReport; out: string }> {
  const summary = readRunSummary(options.summary);
  const slos = options.slos === undefined ? undefined : readSlos(options.slos);
  const reader = eventReader(options.events, options.index);
  let report: CalibrationReport;
  try {
    report = await calibrate({
      summary,
      summaryFile: options.summary,
      reader,
      ...(slos === undefined ? {} : { slos }),
      ...(options.host === undefined ? {} : { host: options.host }),
      kneeMetric: options.kneeMetric,
      ...(options.kneeTolerance === undefined ? {} : { kneeOptions: { relativeTolerance: options.kneeTolerance } }),
      ...(progress === undefined ? {} : { progress }),
    });
  } finally {
    await reader.close();
  }
  const out = resolve(options.out ?? dirname(options.summary));
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, OUTPUT_FILES.text), reportText(report));
    writeFileSync(join(out, OUTPUT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, OUTPUT_FILES.svg), chartSvg(report));
    if (report.recommendation !== null) writeFileSync(join(out, OUTPUT_FILES.yaml), report.recommendation.yaml);
  } catch (error) {
    throw new CalibrateError('CALIBRATE_OUTPUT_FAILED', `--out ${out}: cannot write the report (${(error as Error).message})`, { cause: error });
  }
  return { report, out };
}
