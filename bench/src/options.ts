import { parseArgs } from 'node:util';
import { TARGET_IDS, type TargetId } from './targets.ts';

export interface Options {
  durationSec: number;
  warmupSec: number;
  connections: number;
  threads: number;
  only: TargetId[];
  rate: number;
  rateConnections: number;
  rateDurationSec: number;
  rateTargets: TargetId[];
  k6?: string;
  portBase: number;
  host: string;
  out?: string;
  write: boolean;
  machine?: string;
  lookoutMain?: string;
  /** A running Elasticsearch for `lookout-telemetry`; when absent the bench starts its own. */
  esUrl?: string;
}

export const USAGE = `Usage: npm run bench -- [options]   (or: node bench/src/main.ts [options])

  --duration S          measured seconds per target, max-throughput phase  [LOOKOUT_BENCH_DURATION, 15]
  --warmup S            warm-up seconds before each measurement            [LOOKOUT_BENCH_WARMUP, 3]
  --connections N       wrk connections                                     [LOOKOUT_BENCH_CONNECTIONS, 50]
  --only LIST           targets, comma separated: ${TARGET_IDS.join(',')}   [LOOKOUT_BENCH_ONLY, all]
  --rate N              fixed-rate phase: requests per second               [LOOKOUT_BENCH_RATE, 1100]
  --rate-connections N  fixed-rate phase connections                         [LOOKOUT_BENCH_RATE_CONNECTIONS, 100]
  --rate-duration S     fixed-rate phase seconds per target, 0 skips it      [LOOKOUT_BENCH_RATE_DURATION, 15]
  --rate-targets LIST   targets of the fixed-rate phase (within --only)      [LOOKOUT_BENCH_RATE_TARGETS, all proxies]
  --port-base N         upstream port; proxies listen at +80..+86           [LOOKOUT_BENCH_PORT_BASE, 18000]
  --out FILE            Markdown report path      [LOOKOUT_BENCH_OUT, bench/results/<date>-<machine>.md]
  --machine NAME        machine name in the report file name               [LOOKOUT_BENCH_MACHINE, hostname]
  --no-write            print only, write no report file
  --proxy-main FILE     lookout entry point    [LOOKOUT_BENCH_PROXY_MAIN, proxy/dist/main.js]
  --es-url URL          running Elasticsearch for lookout-telemetry  [LOOKOUT_BENCH_ES_URL, start one on 127.0.0.1:9270]
  k6 instead of autocannon for the fixed-rate phase: LOOKOUT_K6=/path/to/k6
`;

/** Target names as typed by people: ids or the labels printed in the table. */
const ALIASES: Record<string, TargetId> = {
  '@fastify/http-proxy': 'fastify',
  'fastify-http-proxy': 'fastify',
  'node-http-proxy': 'http-proxy',
  'node http-proxy': 'http-proxy',
  'lookout-es': 'lookout-telemetry',
  telemetry: 'lookout-telemetry',
};

function targetList(text: string, what: string): TargetId[] {
  const ids = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const id = ALIASES[item] ?? item;
      if (!(TARGET_IDS as readonly string[]).includes(id)) {
        throw new Error(`${what}: unknown target "${item}" (expected ${TARGET_IDS.join(', ')})`);
      }
      return id as TargetId;
    });
  return TARGET_IDS.filter((id) => ids.includes(id));
}

function positive(value: string, what: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || (!allowZero && n === 0)) throw new Error(`${what}: expected a positive whole number, got "${value}"`);
  return n;
}

/** Flags win over environment variables, which win over defaults. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      rate: { type: 'string' },
      'rate-connections': { type: 'string' },
      'rate-duration': { type: 'string' },
      'rate-targets': { type: 'string' },
      'port-base': { type: 'string' },
      out: { type: 'string' },
      machine: { type: 'string' },
      'proxy-main': { type: 'string' },
      'es-url': { type: 'string' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const pick = (flag: string | undefined, name: string, fallback: string) => flag ?? env[name] ?? fallback;
  const only = targetList(pick(values.only, 'LOOKOUT_BENCH_ONLY', TARGET_IDS.join(',')), '--only');
  if (only.length === 0) throw new Error('--only: no target selected');
  const rateTargets = targetList(
    pick(values['rate-targets'], 'LOOKOUT_BENCH_RATE_TARGETS', TARGET_IDS.filter((id) => id !== 'direct').join(',')),
    '--rate-targets',
  ).filter((id) => only.includes(id));
  const portBase = positive(pick(values['port-base'], 'LOOKOUT_BENCH_PORT_BASE', '18000'), '--port-base');
  if (portBase > 65_000) throw new Error('--port-base: too high');
  const esUrl = values['es-url'] ?? (env.LOOKOUT_BENCH_ES_URL || undefined);
  if (esUrl !== undefined && !/^https?:\/\/[^/?#@]+\/?$/.test(esUrl)) {
    throw new Error(`--es-url: expected a URL such as http://127.0.0.1:9200 (no path, query or credentials), got "${esUrl}"`);
  }
  return {
    durationSec: positive(pick(values.duration, 'LOOKOUT_BENCH_DURATION', '15'), '--duration'),
    warmupSec: positive(pick(values.warmup, 'LOOKOUT_BENCH_WARMUP', '3'), '--warmup', true),
    connections: positive(pick(values.connections, 'LOOKOUT_BENCH_CONNECTIONS', '50'), '--connections'),
    threads: 1,
    only,
    rate: positive(pick(values.rate, 'LOOKOUT_BENCH_RATE', '1100'), '--rate'),
    rateConnections: positive(pick(values['rate-connections'], 'LOOKOUT_BENCH_RATE_CONNECTIONS', '100'), '--rate-connections'),
    rateDurationSec: positive(pick(values['rate-duration'], 'LOOKOUT_BENCH_RATE_DURATION', '15'), '--rate-duration', true),
    rateTargets,
    k6: env.LOOKOUT_K6 || undefined,
    portBase,
    host: 'bench.local',
    out: values.out ?? env.LOOKOUT_BENCH_OUT,
    write: !values['no-write'],
    machine: values.machine ?? env.LOOKOUT_BENCH_MACHINE,
    lookoutMain: values['proxy-main'] ?? env.LOOKOUT_BENCH_PROXY_MAIN,
    esUrl,
  };
}
