import { CalibrateError } from './calibrate-error.ts';
import type { KneeMetric } from './calibrate.ts';

export interface CalibrateOptions {
  readonly summary: string;
  /** A SQLite file path or an Elasticsearch URL. */
  readonly events: string;
  readonly index: string | undefined;
  readonly slos: string | undefined;
  readonly out: string | undefined;
  readonly host: string | undefined;
  readonly kneeMetric: KneeMetric;
  readonly kneeTolerance: number | undefined;
}

export const CALIBRATE_USAGE = `Usage: node slo-engine/src/calibrate/main.ts --summary FILE --events <sqlite-file | es-url> [options]

Reads a k6 stress or soak run (the summary a load-tests profile wrote, and the proxy's request
events of the run's time span) and reports the operating range: per-step throughput, latency
percentiles and errors, the knee, the highest rate each SLO holds at, the binding resource and
recommended SLO bounds. Writes calibration.txt, calibration.json, calibration.svg and
recommended-slos.yaml.

  --summary FILE          the profile's summary (SUMMARY_FILE of the k6 run)
  --events PATH|URL       the proxy's embedded SQLite file, or an Elasticsearch URL
  --index NAME            Elasticsearch index or alias (default lookout-requests)
  --slos FILE             SLO spec to check (default: the run's own SLO_AVAILABILITY and SLO_P99_MS on its host)
  --out DIR               where to write the report (default: the summary's directory)
  --host HOST             the run's host in the events (default: the summary's Host header)
  --knee-metric p50|p95|p99   latency the knee is found on (default p99)
  --knee-tolerance R      how far above the linear trend a step must be to depart, as a share (default 0.5)
`;

const FLAGS = new Set(['summary', 'events', 'index', 'slos', 'out', 'host', 'knee-metric', 'knee-tolerance']);

/** Parses the command line; `help` when asked for. Throws `CALIBRATE_USAGE` naming the problem. */
export function parseCalibrateArgs(argv: readonly string[]): CalibrateOptions | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) throw new CalibrateError('CALIBRATE_USAGE', `unexpected argument "${arg}" (flags look like --summary FILE; see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!FLAGS.has(name)) throw new CalibrateError('CALIBRATE_USAGE', `unknown flag --${name} (see --help)`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new CalibrateError('CALIBRATE_USAGE', `--${name} expects a value`);
    values.set(name, value);
  }
  const summary = values.get('summary');
  const events = values.get('events');
  if (summary === undefined) throw new CalibrateError('CALIBRATE_USAGE', 'missing --summary FILE (the summary the k6 profile wrote; see --help)');
  if (events === undefined) throw new CalibrateError('CALIBRATE_USAGE', "missing --events (the proxy's SQLite file or an Elasticsearch URL; see --help)");
  const kneeMetric = values.get('knee-metric') ?? 'p99';
  if (kneeMetric !== 'p50' && kneeMetric !== 'p95' && kneeMetric !== 'p99') throw new CalibrateError('CALIBRATE_USAGE', `--knee-metric expects p50, p95 or p99, got "${kneeMetric}"`);
  const toleranceText = values.get('knee-tolerance');
  const kneeTolerance = toleranceText === undefined ? undefined : Number(toleranceText);
  if (kneeTolerance !== undefined && !(kneeTolerance > 0)) throw new CalibrateError('CALIBRATE_USAGE', `--knee-tolerance expects a share above 0 such as 0.5, got "${toleranceText}"`);
  return { summary, events, index: values.get('index'), slos: values.get('slos'), out: values.get('out'), host: values.get('host'), kneeMetric, kneeTolerance };
}
