// Stress: an arrival-rate staircase (open model) up to the breaking point. Each step holds a
// constant rate; requests are tagged with their step so the summary has per-step figures, and
// `calibrate` reads the steps' time windows to find the knee and the operating range.
//
//   k6 run load-tests/stress.js
//   k6 run -e START_RATE=1000 -e STEP_RATE=1000 -e MAX_RATE=12000 -e STEP_DURATION=20s load-tests/stress.js
//
// The run stops by itself after the last step, or earlier when it has broken: more than
// BREAK_ERROR_RATE of the requests so far failed, their p99 exceeds BREAK_P99_MS, or k6 had to
// skip more than BREAK_DROPPED_PER_S requests per second on average (every VU busy waiting for
// slow responses); all evaluated from 10 s on, k6 exit code 99. The SLO thresholds are reported, not enforced:
// a stress run is expected to cross them.
//
// Environment (defaults):
//   TARGET_URL      http://127.0.0.1:8080/           request URL, path included
//   TARGET_HOST     my-service.my-company.com         Host header ("-" keeps the URL's host)
//   TARGET_HEADERS  {}                                extra request headers, JSON object
//   START_RATE      500                               first step, requests per second
//   STEP_RATE       500                               increment per step
//   MAX_RATE        8000                              last step (inclusive)
//   STEP_DURATION   15s                               hold time of each step
//   RAMP_DURATION   3s                                ramp between steps (not measured)
//   PRE_VUS         50      MAX_VUS 1000              VUs allocated up front / at most
//   BREAK_ERROR_RATE 0.05   BREAK_P99_MS 2000         abort conditions (see above)
//   BREAK_DROPPED_PER_S 200
//   SLO_AVAILABILITY 0.999  SLO_P99_MS 250            reported thresholds
//   SUMMARY_FILE    stress-summary.json               machine-readable summary
import { envNumber, envRatio, envSeconds } from './lib/env.js';
import { currentStep, staircase, stepSubMetrics } from './lib/schedule.js';
import { readSloSettings, sloThresholds } from './lib/slo-thresholds.js';
import { SUMMARY_TREND_STATS, summaryOutputs } from './lib/summary.js';
import { readTarget, sendRequest } from './lib/target.js';

const target = readTarget();
const slo = readSloSettings();
const settings = {
  START_RATE: envNumber('START_RATE', 500, 1),
  STEP_RATE: envNumber('STEP_RATE', 500, 1),
  MAX_RATE: envNumber('MAX_RATE', 8000, 1),
  STEP_DURATION: envSeconds('STEP_DURATION', '15s'),
  RAMP_DURATION: envSeconds('RAMP_DURATION', '3s'),
  PRE_VUS: envNumber('PRE_VUS', 50, 1),
  MAX_VUS: envNumber('MAX_VUS', 1000, 1),
  BREAK_ERROR_RATE: envRatio('BREAK_ERROR_RATE', 0.05),
  BREAK_P99_MS: envNumber('BREAK_P99_MS', 2000, 1),
  BREAK_DROPPED_PER_S: envNumber('BREAK_DROPPED_PER_S', 200, 0),
};
const schedule = staircase({
  startRate: settings.START_RATE,
  stepRate: settings.STEP_RATE,
  maxRate: settings.MAX_RATE,
  rampSeconds: settings.RAMP_DURATION,
  holdSeconds: settings.STEP_DURATION,
});
const slos = sloThresholds(slo);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: schedule.startRate,
      timeUnit: '1s',
      stages: schedule.stages,
      preAllocatedVUs: Math.min(settings.PRE_VUS, settings.MAX_VUS),
      maxVUs: settings.MAX_VUS,
    },
  },
  thresholds: {
    http_req_failed: [
      ...(slos['http_req_failed'] ?? []),
      { threshold: `rate<=${settings.BREAK_ERROR_RATE}`, abortOnFail: true, delayAbortEval: '10s' },
    ],
    http_req_duration: [
      ...(slos['http_req_duration'] ?? []),
      { threshold: `p(99)<=${settings.BREAK_P99_MS}`, abortOnFail: true, delayAbortEval: '10s' },
    ],
    dropped_iterations: [{ threshold: `rate<=${settings.BREAK_DROPPED_PER_S}`, abortOnFail: true, delayAbortEval: '10s' }],
    ...stepSubMetrics(schedule.steps),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  // Connections stay open across iterations (keep-alive), as a production client pool would.
  noConnectionReuse: false,
};

export default function () {
  sendRequest(target, { step: currentStep(schedule.steps) });
}

/** @param {import('./lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, { profile: 'stress', target, slo, steps: schedule.steps, settings });
}
