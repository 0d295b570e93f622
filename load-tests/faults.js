// Faults: a constant rate where a share of the requests asks the echo upstream for a fault
// (slow answer, 503, connection reset) through its x-echo-* headers, while upstream members are
// killed and restored by the companion script (`node load-tests/src/member-chaos.ts`, see
// README.md). A profile only sends traffic: k6 cannot stop processes.
//
// What must hold: requests without an injected fault stay within the SLOs (the proxy retries a
// failed connect on another member and takes dead members out), and each injected fault comes
// back as what it is: slow answers still succeed, 503s pass through, resets become a 5xx from the
// proxy.
//
//   node load-tests/src/member-chaos.ts --ports 9001,9002 --duration 70s &
//   k6 run -e DURATION=60s load-tests/faults.js
//
// Environment (defaults):
//   TARGET_URL      http://127.0.0.1:8080/           request URL, path included
//   TARGET_HOST     my-service.my-company.com         Host header ("-" keeps the URL's host)
//   TARGET_HEADERS  {}                                extra request headers, JSON object
//   RATE            200                               requests per second
//   DURATION        60s                               how long
//   SLICE_DURATION  10s                               length of each measured slice
//   SLOW_SHARE      0.05    SLOW_MS 300               share of requests delayed by the upstream, and by how much
//   FAIL_SHARE      0.02                              share answered 503 by the upstream
//   RESET_SHARE     0.01                              share whose upstream connection is reset
//   PRE_VUS         50      MAX_VUS 500               VUs allocated up front / at most
//   SLO_AVAILABILITY 0.999  SLO_P99_MS 250            thresholds on the requests without a fault
//   SUMMARY_FILE    faults-summary.json               machine-readable summary
import { check } from 'k6';
import { envNumber, envRatio, envSeconds } from './lib/env.js';
import { constantSlices, currentStep, stepSubMetrics } from './lib/schedule.js';
import { readSloSettings, sloThresholds } from './lib/slo-thresholds.js';
import { SUMMARY_TREND_STATS, summaryOutputs } from './lib/summary.js';
import { readTarget, sendRequest } from './lib/target.js';

const target = readTarget();
const slo = readSloSettings();
const settings = {
  RATE: envNumber('RATE', 200, 1),
  DURATION: envSeconds('DURATION', '60s'),
  SLICE_DURATION: envSeconds('SLICE_DURATION', '10s'),
  SLOW_SHARE: envRatio('SLOW_SHARE', 0.05),
  SLOW_MS: envNumber('SLOW_MS', 300, 1),
  FAIL_SHARE: envRatio('FAIL_SHARE', 0.02),
  RESET_SHARE: envRatio('RESET_SHARE', 0.01),
  PRE_VUS: envNumber('PRE_VUS', 50, 1),
  MAX_VUS: envNumber('MAX_VUS', 500, 1),
};
if (settings.SLOW_SHARE + settings.FAIL_SHARE + settings.RESET_SHARE > 1) {
  throw new Error('LOAD_BAD_SETTING: SLOW_SHARE + FAIL_SHARE + RESET_SHARE must be at most 1');
}
const schedule = constantSlices(settings.RATE, settings.DURATION, settings.SLICE_DURATION);

/**
 * @typedef {object} Fault
 * @property {string} name Tag value (`fault:<name>`).
 * @property {number} share Share of the requests that ask for it.
 * @property {Record<string, string>} headers What asks the echo upstream for it.
 * @property {(r: import('k6/http').RefinedResponse<'none'>) => boolean} expect The answer it must give.
 */

/** @type {Fault[]} */
const FAULTS = [
  {
    name: 'slow',
    share: settings.SLOW_SHARE,
    headers: { 'x-echo-delay-ms': String(settings.SLOW_MS) },
    expect: (r) => r.status === 200 && r.timings.duration >= settings.SLOW_MS,
  },
  {
    name: 'failing',
    share: settings.FAIL_SHARE,
    headers: { 'x-echo-status': '503' },
    expect: (r) => r.status === 503,
  },
  {
    name: 'reset',
    share: settings.RESET_SHARE,
    headers: { 'x-echo-reset': '1' },
    expect: (r) => r.status >= 500 && r.status <= 504,
  },
];

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    faults: {
      executor: 'constant-arrival-rate',
      rate: settings.RATE,
      timeUnit: '1s',
      duration: `${settings.DURATION}s`,
      preAllocatedVUs: Math.min(settings.PRE_VUS, settings.MAX_VUS),
      maxVUs: settings.MAX_VUS,
    },
  },
  thresholds: {
    ...stepSubMetrics(schedule.steps),
    // The SLOs apply to the requests that asked for no fault.
    ...sloThresholds(slo, { selector: '{fault:none}' }),
    // Each injected fault comes back as expected (every check of that kind passes).
    ...Object.fromEntries(FAULTS.filter((f) => f.share > 0).map((f) => [`checks{fault:${f.name}}`, ['rate==1']])),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  const step = currentStep(schedule.steps);
  let draw = Math.random();
  for (const fault of FAULTS) {
    if (draw < fault.share) {
      const tags = { step, fault: fault.name };
      const response = sendRequest(target, tags, { faultHeaders: fault.headers });
      check(response, { [`${fault.name} answered as injected`]: fault.expect }, tags);
      return;
    }
    draw -= fault.share;
  }
  sendRequest(target, { step, fault: 'none' });
}

/** @param {import('./lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, { profile: 'faults', target, slo, steps: schedule.steps, settings });
}
