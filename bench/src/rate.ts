import autocannon from 'autocannon';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToEnd } from './processes.ts';
import { LOOPBACK } from './probe.ts';

/** One open-loop (fixed arrival rate) run. Latencies in milliseconds. */
export interface RateResult {
  tool: string;
  achievedPerSec: number;
  /** Responses received. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Requests the generator could not start on time (k6 `dropped_iterations`). */
  dropped: number;
}

export interface RateSettings {
  rate: number;
  connections: number;
  durationSec: number;
  host: string;
  /** Path of a k6 binary; autocannon (in this process) when absent. */
  k6?: string;
  tmpDir: string;
}

export function rateToolDescription(settings: RateSettings): string {
  return settings.k6
    ? `k6 (${settings.k6}) constant-arrival-rate ${settings.rate}/s, ${settings.connections} VUs (one connection each)`
    : `autocannon overallRate=${settings.rate}/s over ${settings.connections} connections`;
}

/** Sends `settings.rate` req/s for `durationSec` to a loopback port. */
export function runRate(port: number, settings: RateSettings, durationSec = settings.durationSec): Promise<RateResult> {
  return settings.k6 ? runK6(settings.k6, port, settings, durationSec) : runAutocannon(port, settings, durationSec);
}

function runAutocannon(port: number, settings: RateSettings, durationSec: number): Promise<RateResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://${LOOPBACK}:${port}/`,
        connections: settings.connections,
        overallRate: settings.rate,
        duration: durationSec,
        headers: { host: settings.host },
      },
      (error, result) => {
        clearTimeout(guard);
        if (error) return reject(error);
        resolve({
          tool: 'autocannon',
          achievedPerSec: result.requests.average,
          requests: result.requests.total,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          dropped: 0,
        });
      },
    );
    const guard = setTimeout(() => instance.stop(), (durationSec + 15) * 1000);
  });
}

/** k6 script: constant arrival rate, the Host header set like wrk's. */
function k6Script(url: string, host: string, settings: RateSettings, durationSec: number, summaryPath: string): string {
  return `import http from 'k6/http';
export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['med', 'p(99)', 'avg', 'max'],
  scenarios: {
    fixed: {
      executor: 'constant-arrival-rate',
      rate: ${settings.rate},
      timeUnit: '1s',
      duration: '${durationSec}s',
      preAllocatedVUs: ${settings.connections},
      maxVUs: ${settings.connections},
    },
  },
};
export default function () {
  http.get(${JSON.stringify(url)}, { headers: { Host: ${JSON.stringify(host)} } });
}
export function handleSummary(data) {
  return { ${JSON.stringify(summaryPath)}: JSON.stringify(data) };
}
`;
}

async function runK6(k6: string, port: number, settings: RateSettings, durationSec: number): Promise<RateResult> {
  const script = join(settings.tmpDir, 'rate.k6.js');
  const summaryPath = join(settings.tmpDir, 'rate.k6.summary.json');
  writeFileSync(script, k6Script(`http://${LOOPBACK}:${port}/`, settings.host, settings, durationSec, summaryPath));
  const result = await runToEnd('k6', k6, ['run', '--quiet', '--no-usage-report', script], (durationSec + 30) * 1000, {
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
  });
  if (result.error) throw new Error(`k6 could not start: ${result.error.message}`);
  if (result.timedOut) throw new Error('k6 did not finish in time');
  if (result.code !== 0) throw new Error(`k6 exited with ${result.code}: ${result.stderr.trim().slice(-800)}`);
  type Metric = { values: Record<string, number> };
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { metrics: Record<string, Metric | undefined> };
  const value = (metric: string, key: string) => summary.metrics[metric]?.values[key] ?? 0;
  return {
    tool: 'k6',
    achievedPerSec: value('http_reqs', 'rate'),
    requests: value('http_reqs', 'count'),
    p50Ms: value('http_req_duration', 'med'),
    p99Ms: value('http_req_duration', 'p(99)'),
    // k6 counts non-2xx/3xx responses as failed requests; they are in `errors`.
    errors: value('http_req_failed', 'passes'),
    non2xx: 0,
    dropped: value('dropped_iterations', 'count'),
  };
}
