// Smoke: a few requests per second for a few seconds; every one must succeed, fast.
//
//   k6 run load-tests/smoke.js
//   k6 run -e TARGET_URL=http://127.0.0.1:8080/ -e TARGET_HOST=my-service.my-company.com load-tests/smoke.js
//
// Environment (defaults):
//   TARGET_URL      http://127.0.0.1:8080/           request URL, path included
//   TARGET_HOST     my-service.my-company.com         Host header ("-" keeps the URL's host)
//   TARGET_HEADERS  {}                                extra request headers, JSON object
//   RATE            10                                requests per second
//   DURATION        10s                               how long
//   SLO_AVAILABILITY 0.999   SLO_P99_MS 250           thresholds (see README.md)
//   SUMMARY_FILE    smoke-summary.json                machine-readable summary
import { check } from 'k6';
import { envNumber, envSeconds } from './lib/env.js';
import { constantSlices, currentStep, stepSubMetrics } from './lib/schedule.js';
import { readSloSettings, sloThresholds } from './lib/slo-thresholds.js';
import { SUMMARY_TREND_STATS, summaryOutputs } from './lib/summary.js';
import { readTarget, sendRequest } from './lib/target.js';

const target = readTarget();
const slo = readSloSettings();
const rate = envNumber('RATE', 10, 1);
const seconds = envSeconds('DURATION', '10s');
const schedule = constantSlices(rate, seconds, seconds);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    smoke: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: `${seconds}s`, preAllocatedVUs: 2, maxVUs: 20 },
  },
  thresholds: {
    ...sloThresholds(slo),
    checks: ['rate==1'],
    ...stepSubMetrics(schedule.steps),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  const response = sendRequest(target, { step: currentStep(schedule.steps) }, { keepBody: true });
  check(response, {
    'status is 2xx': (r) => r.status >= 200 && r.status < 300,
    'body is not empty': (r) => typeof r.body === 'string' && r.body.length > 0,
  });
}

/** @param {import('./lib/summary.js').SummaryData} data */
export function handleSummary(data) {
  return summaryOutputs(data, { profile: 'smoke', target, slo, steps: schedule.steps, settings: { RATE: rate, DURATION: `${seconds}s` } });
}
