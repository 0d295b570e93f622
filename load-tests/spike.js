// Spike: a base rate, a sudden burst, then the base rate again. Shows whether the proxy absorbs
// a burst and how fast latency recovers; the summary has the three phases as steps
// (base, spike, recovery).
//
//   k6 run load-tests/spike.js
//   k6 run -e BASE_RATE=500 -e SPIKE_RATE=6000 -e SPIKE_DURATION=20s load-tests/spike.js
//
// Environment (defaults):
//   TARGET_URL      http://127.0.0.1:8080/           request URL, path included
//   TARGET_HOST     my-service.my-company.com         Host header ("-" keeps the URL's host)
//   TARGET_HEADERS  {}                                extra request headers, JSON object
//   BASE_RATE       500                               requests per second before and after
//   SPIKE_RATE      5000                              requests per second during the spike
//   BASE_DURATION   30s                               base phase, and again the recovery phase
//   SPIKE_DURATION  15s                               spike phase
//   SPIKE_RAMP      2s                                ramp up to and down from the spike
//   PRE_VUS         100     MAX_VUS 1000              VUs allocated up front / at most
//   SLO_AVAILABILITY 0.999  SLO_P99_MS 250            thresholds over the whole run, and on the
//                                                     recovery phase alone
//   SUMMARY_FILE    spike-summary.json                machine-readable summary
import { envNumber, envSeconds } from './lib/env.js';
import { currentStep, phases, stepSubMetrics } from './lib/schedule.js';
import { readSloSettings, sloThresholds } from './lib/slo-thresholds.js';
import { SUMMARY_TREND_STATS, summaryOutputs } from './lib/summary.js';
import { readTarget, sendRequest } from './lib/target.js';

const target = readTarget();
const slo = readSloSettings();
const settings = {
  BASE_RATE: envNumber('BASE_RATE', 500, 1),
  SPIKE_RATE: envNumber('SPIKE_RATE', 5000, 1),
  BASE_DURATION: envSeconds('BASE_DURATION', '30s'),
  SPIKE_DURATION: envSeconds('SPIKE_DURATION', '15s'),
  SPIKE_RAMP: envSeconds('SPIKE_RAMP', '2s'),
  PRE_VUS: envNumber('PRE_VUS', 100, 1),
  MAX_VUS: envNumber('MAX_VUS', 1000, 1),
};
const schedule = phases(
  [
    { label: 'base', rate: settings.BASE_RATE, seconds: settings.BASE_DURATION },
    { label: 'spike', rate: settings.SPIKE_RATE, seconds: settings.SPIKE_DURATION },
    { label: 'recovery', rate: settings.BASE_RATE, seconds: settings.BASE_DURATION },
  ],
  settings.SPIKE_RAMP,
);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: schedule.startRate,
      timeUnit: '1s',
      stages: schedule.stages,
      preAllocatedVUs: Math.min(settings.PRE_VUS, settings.MAX_VUS),
      maxVUs: settings.MAX_VUS,
    },
  },
  thresholds: {
    ...stepSubMetrics(schedule.steps),
    ...sloThresholds(slo),
    // After the spike the SLOs must hold again: the proxy recovered.
    ...sloThresholds(slo, { selector: '{step:recovery}' }),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  sendRequest(target, { step: currentStep(schedule.steps) });
}

/** @param {import('./lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, { profile: 'spike', target, slo, steps: schedule.steps, settings });
}
