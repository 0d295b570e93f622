// The documented stress run: echo upstreams and the proxy bundle (with the embedded telemetry
// sink) on this machine, the k6 stress profile against them, the proxy's RSS and CPU sampled,
// then `calibrate` on the run. Writes everything to --out (README.md with the machine, the
// commands and the figures next to the original project's).
//
//   node load-tests/src/stress-run.ts --out load-tests/results/$(date +%F)-$(hostname) [-e NAME=VALUE ...]
//
// -e settings go to k6 (see stress.js); defaults here: START_RATE=500 STEP_RATE=500
// MAX_RATE=8000 STEP_DURATION=10s RAMP_DURATION=2s. Needs k6 (LOOKOUT_K6 or
// scripts/install-k6.sh). All traffic stays on 127.0.0.1; the run stops by itself.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnEchoUpstream } from '@lookout/echo-upstream';
import { buildProxyIfStale, proxyArgs, proxyRuntime } from '@lookout/proxy/launch';
import { k6Binary } from './k6-binary.ts';
import { type ProcessSample, startSampling, windowFigures } from './process-sampler.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CALIBRATE = join(ROOT, 'slo-engine/src/calibrate/main.ts');
const HOST = 'stress.test';
const DEFAULT_K6_ENV: Record<string, string> = { START_RATE: '500', STEP_RATE: '500', MAX_RATE: '8000', STEP_DURATION: '10s', RAMP_DURATION: '2s' };
/** The original project's JMeter figures (100 virtual users, 10 minutes). */
const ORIGINAL = { tps: 1100, addedLatencyMs: 2, rssMiB: 90, errors: 0 };

function parseArgs(argv: readonly string[]): { out: string; k6Env: Record<string, string> } {
  let out: string | undefined;
  const k6Env: Record<string, string> = { ...DEFAULT_K6_ENV };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') out = argv[++i];
    else if (arg === '-e') {
      const setting = argv[++i] ?? '';
      const eq = setting.indexOf('=');
      if (eq < 1) throw new Error(`-e expects NAME=VALUE, got "${setting}"`);
      k6Env[setting.slice(0, eq)] = setting.slice(eq + 1);
    } else throw new Error(`unknown argument "${arg}" (usage: --out DIR [-e NAME=VALUE ...])`);
  }
  if (out === undefined) throw new Error('missing --out DIR');
  return { out: resolve(out), k6Env };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the proxy printed no listening line')), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        try {
          const data = JSON.parse(line) as { msg?: string; port?: number };
          if (data.msg === 'listening' && typeof data.port === 'number') {
            clearTimeout(timer);
            resolvePort(data.port);
          }
        } catch {
          // not a complete JSON line yet
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`the proxy exited (${code}) before listening`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));
}

const fmt = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined ? '-' : value.toFixed(digits));

async function main(): Promise<void> {
  const { out, k6Env } = parseArgs(process.argv.slice(2));
  const k6 = k6Binary();
  if (k6 === undefined) throw new Error('k6 not found: set LOOKOUT_K6 or run scripts/install-k6.sh');
  const work = mkdtempSync(join(tmpdir(), 'lookout-stress-run-'));
  mkdirSync(out, { recursive: true });
  const machine = {
    hostname: hostname(),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: `Linux ${release()}`,
    node: process.version,
    k6: spawnSync(k6, ['version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? 'unknown',
    loadAverageAtStart: loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
  const started = new Date();
  console.log(`stress run: ${JSON.stringify(machine)}`);

  buildProxyIfStale(process.execPath, (m: string) => console.log(m));
  const upstreams = await Promise.all([1, 2].map((i) => spawnEchoUpstream({ name: `echo-${i}` })));
  const eventsFile = join(work, 'telemetry.sqlite');
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    workers: 1,
    services: [{ name: 'stress', hosts: [HOST], balancer: 'round-robin', upstreams: upstreams.map((u) => ({ url: u.url })) }],
    telemetry: { sink: 'embedded', embedded: { path: eventsFile } },
  };
  // JSON is YAML: the proxy reads either.
  const configFile = join(work, 'proxy.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const runtime = proxyRuntime() as { execArgv: string[]; env: Record<string, string> };
  const proxy = spawn(process.execPath, proxyArgs(['--config', configFile]) as string[], {
    env: { ...process.env, ...runtime.env, LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let samples: Record<string, ProcessSample[]> = {};
  try {
    const port = await waitForListening(proxy, 15_000);
    const summaryFile = join(out, 'stress-summary.json');
    const env = { TARGET_URL: `http://127.0.0.1:${port}/`, TARGET_HOST: HOST, SUMMARY_FILE: summaryFile, ...k6Env };
    const k6Args = ['run', '--quiet', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), join(ROOT, 'load-tests/stress.js')];
    console.log(`k6 ${k6Args.join(' ')}`);
    const k6Process = spawn(k6, k6Args, { env: { ...process.env, K6_NO_USAGE_REPORT: 'true' }, stdio: ['ignore', 'inherit', 'inherit'] });
    const sampler = startSampling({ proxy: proxy.pid!, k6: k6Process.pid!, 'echo-1': upstreams[0]!.process.pid!, 'echo-2': upstreams[1]!.process.pid! }, 500);
    // Bounded: the profile ends by itself; this is the backstop.
    const backstop = setTimeout(() => k6Process.kill('SIGKILL'), 15 * 60_000);
    const k6Exit = await exited(k6Process);
    clearTimeout(backstop);
    samples = sampler.stop();
    // Let the proxy commit its last events, then stop it (SIGTERM flushes the sink).
    await new Promise((r) => setTimeout(r, 2_000));
    proxy.kill('SIGTERM');
    await exited(proxy);

    const calibrateArgs = [CALIBRATE, '--summary', summaryFile, '--events', eventsFile, '--out', out];
    const calibration = spawnSync(process.execPath, calibrateArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(calibration.stdout);
    if (calibration.status !== 0) throw new Error(`calibrate exited ${calibration.status}`);
    const report = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8')) as CalibrationJson;
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { steps: { label: string; startMs: number; endMs: number }[]; totals: { requests: number; failed: number } };
    const steps = report.steps.map((step) => {
      const window = summary.steps.find((s) => s.label === step.label)!;
      const of = (name: string) => windowFigures(samples[name] ?? [], window.startMs, window.endMs);
      return { ...step, proxy: of('proxy'), k6: of('k6'), echo1: of('echo-1'), echo2: of('echo-2'), machine: of('machine') };
    });
    writeFileSync(join(out, 'resources.json'), `${JSON.stringify({ intervalMs: 500, samples }, null, 1)}\n`);
    const readme = renderReadme({ machine, started, ended: new Date(), k6Exit, k6Env, report, steps, totals: summary.totals, out });
    writeFileSync(join(out, 'README.md'), readme);
    console.log(`stress run: wrote ${relative(process.cwd(), out)}/README.md`);
  } finally {
    if (proxy.exitCode === null && proxy.signalCode === null) proxy.kill('SIGKILL');
    await Promise.all(upstreams.map((u) => u.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

interface CalibrationJson {
  knee: { rate: number; metric: string; lastLinearRate: number; firstDepartingRate: number } | null;
  saturation: { rate: number; throughput: number } | null;
  errorOnset: { firstErrorRate: number | null; budgetExceededRate: number | null };
  slos: { name: string; description: string; limit: { kind: string; rate?: number } }[];
  binding: { resource: string; summary: string; evidence: string[] };
  recommendation: { maxSustainedRate: number; p99LimitMs: number; availabilityObjective: number } | null;
  steps: {
    label: string;
    rate: number;
    throughput: number;
    events: number;
    errors: number;
    errorRate: number | null;
    p50Ms: number | null;
    p99Ms: number | null;
    meanOverheadMs: number | null;
    meanUpstreamMs: number | null;
    client: { p50Ms: number | null; p99Ms: number | null; requests: number };
  }[];
}

type StepRow = CalibrationJson['steps'][number] & Record<'proxy' | 'k6' | 'echo1' | 'echo2' | 'machine', ReturnType<typeof windowFigures>>;

function renderReadme(input: {
  machine: Record<string, string | number>;
  started: Date;
  ended: Date;
  k6Exit: number | null;
  k6Env: Record<string, string>;
  report: CalibrationJson;
  steps: StepRow[];
  totals: { requests: number; failed: number };
  out: string;
}): string {
  const { machine, report } = input;
  // Steps the run never reached (it stopped at its breaking point) are left out.
  const steps = input.steps.filter((s) => s.events > 0 || s.client.requests > 0);
  const skipped = input.steps.length - steps.length;
  const others = (s: StepRow): number | null =>
    s.machine.cpuCores === null ? null : s.machine.cpuCores - (s.proxy.cpuCores ?? 0) - (s.k6.cpuCores ?? 0) - (s.echo1.cpuCores ?? 0) - (s.echo2.cpuCores ?? 0);
  const kneeRate = report.knee?.rate ?? Infinity;
  const below = steps.filter((s) => s.rate < kneeRate && s.events > 0);
  const best = below.reduce<StepRow | undefined>((a, s) => (a === undefined || s.throughput > a.throughput ? s : a), undefined);
  const errorsBelow = below.reduce((n, s) => n + s.errors, 0);
  const eventsBelow = below.reduce((n, s) => n + s.events, 0);
  const nearOriginal = steps.filter((s) => s.events > 0).sort((a, b) => Math.abs(a.rate - ORIGINAL.tps) - Math.abs(b.rate - ORIGINAL.tps))[0];
  const peakRss = Math.max(...steps.map((s) => s.proxy.peakRssMiB ?? 0));
  const peakRssBelow = Math.max(0, ...below.map((s) => s.proxy.peakRssMiB ?? 0));
  const outRel = relative(ROOT, input.out);
  const envFlags = Object.entries(input.k6Env).map(([k, v]) => `-e ${k}=${v}`).join(' ');
  const lines = [
    `# Stress run, ${input.started.toISOString().slice(0, 10)}`,
    '',
    `Run from ${input.started.toISOString()} to ${input.ended.toISOString()} with \`node load-tests/src/stress-run.ts\`: two echo upstreams`,
    '(`echo-upstream/src/main.ts`), the proxy bundle (`proxy/dist/main.js` with the flags of `proxy/node-runtime.json`,',
    '`workers: 1`, telemetry to the embedded SQLite sink: one event per request), and k6 running `load-tests/stress.js`, all',
    'on this machine and its cores, over 127.0.0.1. Then `calibrate` on the k6 summary and the proxy\'s events.',
    '',
    '## Machine',
    '',
    '|  |  |',
    '| --- | --- |',
    ...Object.entries(machine).map(([k, v]) => `| ${k} | ${v} |`),
    `| load average at end | ${loadavg().map((l) => l.toFixed(2)).join(' / ')} |`,
    '',
    '## Redo it',
    '',
    '```sh',
    'node proxy/build.ts                      # or let the run build it when stale',
    `node load-tests/src/stress-run.ts --out ${outRel} ${envFlags}`,
    '# which runs, against the stack it starts:',
    `k6 run ${envFlags} -e TARGET_URL=http://127.0.0.1:<proxy port>/ -e TARGET_HOST=${HOST} -e SUMMARY_FILE=${outRel}/stress-summary.json load-tests/stress.js`,
    `node slo-engine/src/calibrate/main.ts --summary ${outRel}/stress-summary.json --events <the proxy's telemetry.sqlite> --out ${outRel}`,
    '```',
    '',
    `k6 exit code: ${input.k6Exit}${input.k6Exit === 99 ? ' (a threshold failed: the stress profile aborts once the run has broken, or reports the SLO thresholds it crossed)' : ''}.`,
    '',
    '## Result',
    '',
    `- Knee (${report.knee?.metric ?? 'p99'}): ${report.knee === null ? 'none within the tested range' : `${report.knee.rate.toFixed(0)} req/s (last step on the linear trend ${report.knee.lastLinearRate}/s, first above it ${report.knee.firstDepartingRate}/s)`}.`,
    `- Saturation: ${report.saturation === null ? 'none, every step reached >= 95 % of its offered rate' : `at ${report.saturation.rate}/s offered, ${report.saturation.throughput.toFixed(0)}/s were served`}.`,
    `- Errors: ${report.errorOnset.firstErrorRate === null ? 'none at any step' : `first at ${report.errorOnset.firstErrorRate}/s`}; ${errorsBelow} in ${eventsBelow} requests below the knee.`,
    ...report.slos.map((s) => `- SLO ${s.name} (${s.description}): ${s.limit.kind}${s.limit.rate === undefined ? '' : ` ${s.limit.rate.toFixed(0)}/s`}.`),
    `- Binding resource: ${report.binding.summary}.`,
    ...report.binding.evidence.map((e) => `  - ${e}`),
    `- Proxy RSS: peak ${fmt(peakRss)} MiB over the run, ${fmt(peakRssBelow)} MiB below the knee.`,
    report.recommendation === null ? '' : `- Recommended: at most ${report.recommendation.maxSustainedRate} req/s sustained, p99 <= ${report.recommendation.p99LimitMs} ms, availability ${report.recommendation.availabilityObjective * 100} % (see recommended-slos.yaml).`,
    '',
    '## Next to the original project',
    '',
    'The original proxy was measured with JMeter: 100 virtual users for 10 minutes. This run is an open-model',
    'staircase (k6 ramping arrival rate), so the comparison is per figure:',
    '',
    '| figure | original (JMeter) | this run |',
    '| --- | --- | --- |',
    `| throughput with 0 % errors | ${ORIGINAL.tps} TPS | ${best === undefined ? '-' : `${best.throughput.toFixed(0)} req/s (highest step below the knee; ${(best.throughput / ORIGINAL.tps).toFixed(1)}x)`} |`,
    `| latency added by the proxy | +${ORIGINAL.addedLatencyMs} ms | ${nearOriginal === undefined ? '-' : `mean proxy overhead ${fmt(nearOriginal.meanOverheadMs, 2)} ms at ${nearOriginal.rate}/s (duration minus upstream exchange, from the events)`} |`,
    `| memory | < ${ORIGINAL.rssMiB} MiB | peak RSS ${fmt(peakRssBelow)} MiB below the knee, ${fmt(peakRss)} MiB over the run (proxy process, sampled every 500 ms) |`,
    `| errors | ${ORIGINAL.errors} % | ${errorsBelow === 0 ? '0 %' : `${((errorsBelow / Math.max(1, eventsBelow)) * 100).toFixed(3)} %`} below the knee |`,
    `| telemetry | ELK fields per request | one event per request in SQLite (${input.totals.requests} k6 requests) |`,
    '',
    '## Per step',
    '',
    'Latency from the proxy\'s events (exact nearest rank); k6 columns are client-side; CPU in cores, RSS peak in MiB, per step window.',
    '',
    `CPU columns: cores used during the step; "other" is the rest of the machine (processes outside this run) out of ${machine.nproc}.`,
    skipped > 0 ? `The run stopped before the last ${skipped} steps of its schedule (abort threshold: the run had broken).` : 'The run went through every step of its schedule.',
    '',
    '| offered/s | served/s | errors | p50 ms | p99 ms | k6 p50 ms | k6 p99 ms | proxy overhead ms | upstream ms | proxy CPU | proxy RSS | k6 CPU | echo CPU (2) | other CPU |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...steps.map(
      (s) =>
        `| ${s.rate} | ${s.throughput.toFixed(0)} | ${s.errors} | ${fmt(s.p50Ms, 2)} | ${fmt(s.p99Ms, 2)} | ${fmt(s.client.p50Ms, 2)} | ${fmt(s.client.p99Ms, 2)} | ${fmt(s.meanOverheadMs, 2)} | ${fmt(s.meanUpstreamMs, 2)} | ` +
        `${fmt(s.proxy.cpuCores, 2)} | ${fmt(s.proxy.peakRssMiB)} | ${fmt(s.k6.cpuCores, 2)} | ${fmt((s.echo1.cpuCores ?? 0) + (s.echo2.cpuCores ?? 0), 2)} | ${fmt(others(s), 2)} |`,
    ),
    '',
    '## Files',
    '',
    '- `calibration.txt`, `calibration.json`, `calibration.svg`: the calibrate report and chart',
    '- `recommended-slos.yaml`: the SLO spec calibrate recommends',
    '- `stress-summary.json`: the k6 summary (k6\'s own metrics under `k6.metrics`)',
    '- `resources.json`: RSS and CPU samples of the proxy, k6 and the echo upstreams',
    '',
    '![latency and errors against rate](calibration.svg)',
    '',
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(`stress run failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
