// Soak: a constant arrival rate for a long time. The run is cut into slices so that a drift
// (latency creeping up, errors appearing, the proxy's memory growing) shows slice by slice in
// the summary and in `calibrate`.
//
//   k6 run load-tests/soak.js
//   k6 run -e RATE=2000 -e DURATION=2h -e SLICE_DURATION=5m load-tests/soak.js
//
// Environment (defaults):
//   TARGET_URL      http://127.0.0.1:8080/           request URL, path included
//   TARGET_HOST     my-service.my-company.com         Host header ("-" keeps the URL's host)
//   TARGET_HEADERS  {}                                extra request headers, JSON object
//   RATE            1000                              requests per second
//   DURATION        30m                               how long
//   SLICE_DURATION  1m                                length of each measured slice
//   PRE_VUS         50      MAX_VUS 500               VUs allocated up front / at most
//   SLO_AVAILABILITY 0.999  SLO_P99_MS 250            thresholds; a failed one aborts the run
//   SUMMARY_FILE    soak-summary.json                 machine-readable summary
import { envNumber, envSeconds } from './lib/env.js';
import { constantSlices, currentStep, stepSubMetrics } from './lib/schedule.js';
import { readSloSettings, sloThresholds } from './lib/slo-thresholds.js';
import { SUMMARY_TREND_STATS, summaryOutputs } from './lib/summary.js';
import { readTarget, sendRequest } from './lib/target.js';

const target = readTarget();
const slo = readSloSettings();
const settings = {
  RATE: envNumber('RATE', 1000, 1),
  DURATION: envSeconds('DURATION', '30m'),
  SLICE_DURATION: envSeconds('SLICE_DURATION', '1m'),
  PRE_VUS: envNumber('PRE_VUS', 50, 1),
  MAX_VUS: envNumber('MAX_VUS', 500, 1),
};
const schedule = constantSlices(settings.RATE, settings.DURATION, settings.SLICE_DURATION);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: settings.RATE,
      timeUnit: '1s',
      duration: `${settings.DURATION}s`,
      preAllocatedVUs: Math.min(settings.PRE_VUS, settings.MAX_VUS),
      maxVUs: settings.MAX_VUS,
    },
  },
  // A soak runs at a rate the SLOs must hold at: a broken objective ends it (after 1 min).
  thresholds: { ...sloThresholds(slo, { abort: true, delayAbortEval: '1m' }), ...stepSubMetrics(schedule.steps) },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  sendRequest(target, { step: currentStep(schedule.steps) });
}

/** @param {import('./lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, { profile: 'soak', target, slo, steps: schedule.steps, settings });
}
