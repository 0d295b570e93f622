// `setup-elk`: prepares an Elasticsearch (and Kibana) for lookout. See deploy/elk/README.md.
import { setupElk } from './setup-elk.ts';
import { SetupError } from './setup-error.ts';
import { parseSetupOptions, USAGE } from './setup-options.ts';

const log = (line: string) => process.stdout.write(`[setup-elk] ${line}\n`);

try {
  const options = parseSetupOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
  } else {
    const started = Date.now();
    const result = await setupElk(options, log);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s: ${result.changes} change(s), ${result.steps.length - result.changes} unchanged`);
  }
} catch (error) {
  if (error instanceof SetupError) {
    process.stderr.write(`[setup-elk] error ${error.code}: ${error.message}\n`);
    if (error.code === 'LOOKOUT_SETUP_BAD_OPTION') process.stderr.write(`\n${USAGE}\n`);
    process.exitCode = error.code === 'LOOKOUT_SETUP_BAD_OPTION' ? 2 : 1;
  } else {
    process.stderr.write(`[setup-elk] unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
