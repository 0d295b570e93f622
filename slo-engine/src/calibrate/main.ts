// `calibrate`: node slo-engine/src/calibrate/main.ts --summary FILE --events <sqlite-file | es-url> [...]
// Prints the text report on stdout, progress on stderr; exit 0 on success, 2 when an input is
// wrong (a CalibrateError: one line naming the file, URL or SLO), 1 on anything unexpected.
import { CalibrateError } from './calibrate-error.ts';
import { CALIBRATE_USAGE, parseCalibrateArgs } from './calibrate-options.ts';
import { progressLine } from './progress-line.ts';
import { reportText } from './report-text.ts';
import { OUTPUT_FILES, runCalibrate } from './run-calibrate.ts';

try {
  const options = parseCalibrateArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(CALIBRATE_USAGE);
  } else {
    const { report, out } = await runCalibrate(options, progressLine(process.stderr));
    process.stdout.write(reportText(report));
    process.stderr.write(`calibrate: wrote ${Object.values(OUTPUT_FILES).join(', ')} to ${out}\n`);
  }
} catch (error) {
  if (error instanceof CalibrateError) {
    process.stderr.write(`calibrate: ${error.code}: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`calibrate: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
