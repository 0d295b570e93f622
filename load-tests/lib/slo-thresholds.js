// k6 thresholds mirroring the demo SLOs: availability (share of requests not failed) and a p99
// latency bound. `SLO_AVAILABILITY` (default 0.999) and `SLO_P99_MS` (default 250) change them.
import { envNumber, envRatio } from './env.js';

/**
 * @typedef {object} SloSettings
 * @property {number} availability Share of requests that must succeed, e.g. 0.999.
 * @property {number} p99Ms Bound on the 99th percentile of `http_req_duration`, ms.
 */

/** @returns {SloSettings} */
export function readSloSettings() {
  return { availability: envRatio('SLO_AVAILABILITY', 0.999), p99Ms: envNumber('SLO_P99_MS', 250, 0.001) };
}

/**
 * The largest failed share the availability objective allows, e.g. 0.001 for 0.999 (rounded so
 * that k6 prints `rate<=0.001`, not `rate<=0.0010000000000000009`).
 * @param {number} availability
 */
export function allowedFailureRate(availability) {
  return Number((1 - availability).toPrecision(6));
}

/**
 * Thresholds for `http_req_failed` and `http_req_duration`, optionally on a sub-metric (a tag
 * selector such as `{fault:none}`). With `abort`, k6 stops the run once a threshold has failed
 * (evaluated after `delayAbortEval`, default 10s, so a cold start does not end it).
 * @param {SloSettings} slo
 * @param {{ selector?: string, abort?: boolean, delayAbortEval?: string }} [options]
 * @returns {Record<string, Array<{ threshold: string, abortOnFail: boolean, delayAbortEval?: string }>>}
 */
export function sloThresholds(slo, options = {}) {
  const selector = options.selector ?? '';
  const abortOnFail = options.abort === true;
  const delay = abortOnFail ? { delayAbortEval: options.delayAbortEval ?? '10s' } : {};
  return {
    [`http_req_failed${selector}`]: [{ threshold: `rate<=${allowedFailureRate(slo.availability)}`, abortOnFail, ...delay }],
    [`http_req_duration${selector}`]: [{ threshold: `p(99)<=${slo.p99Ms}`, abortOnFail, ...delay }],
  };
}
