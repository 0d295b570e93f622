// Load schedules: the arrival rate over time as k6 stages, plus the measured windows ("steps")
// that the summary lists and `calibrate` reads. A step is a window of constant arrival rate;
// ramps between steps are not part of any step.
import exec from 'k6/execution';
import { Gauge } from 'k6/metrics';

/**
 * @typedef {object} Step
 * @property {string} label Tag value of the step's requests (`step:<label>`).
 * @property {number} rate Arrival rate during the step, requests per second.
 * @property {number} fromMs Start of the step, ms after the scenario started.
 * @property {number} toMs End of the step (exclusive), ms after the scenario started.
 */

/**
 * @typedef {object} Schedule
 * @property {Array<{ target: number, duration: string }>} stages k6 stages (rate per second).
 * @property {number} startRate Rate at the start, per second.
 * @property {Step[]} steps Measured windows, in time order.
 * @property {number} durationMs Whole scenario length.
 */

/**
 * A staircase from `startRate` up to `maxRate` (inclusive when reached exactly) in increments
 * of `stepRate`: each step holds for `holdSeconds`, reached by a linear ramp of `rampSeconds`
 * from the previous one (the first step starts at its rate at once).
 * @param {{ startRate: number, stepRate: number, maxRate: number, rampSeconds: number, holdSeconds: number }} options
 * @returns {Schedule}
 */
export function staircase(options) {
  const { startRate, stepRate, maxRate, rampSeconds, holdSeconds } = options;
  if (!(stepRate > 0) || !(maxRate >= startRate) || !(startRate > 0)) {
    throw new Error(`LOAD_BAD_SETTING: expected 0 < START_RATE <= MAX_RATE and STEP_RATE > 0, got ${startRate}, ${maxRate}, ${stepRate}`);
  }
  /** @type {Array<{ target: number, duration: string }>} */
  const stages = [];
  /** @type {Step[]} */
  const steps = [];
  let at = 0;
  for (let index = 0, rate = startRate; rate <= maxRate + 1e-9; index++, rate = startRate + index * stepRate) {
    if (index > 0) {
      stages.push({ target: rate, duration: `${rampSeconds}s` });
      at += rampSeconds * 1000;
    }
    stages.push({ target: rate, duration: `${holdSeconds}s` });
    steps.push({ label: String(index), rate, fromMs: at, toMs: at + holdSeconds * 1000 });
    at += holdSeconds * 1000;
  }
  return { stages, startRate, steps, durationMs: at };
}

/**
 * Phases of given rates one after the other, each reached by a ramp of `rampSeconds` from the
 * previous one (none before the first). The measured window of a phase starts after its ramp.
 * @param {Array<{ label: string, rate: number, seconds: number }>} phases
 * @param {number} rampSeconds
 * @returns {Schedule}
 */
export function phases(phases, rampSeconds) {
  /** @type {Array<{ target: number, duration: string }>} */
  const stages = [];
  /** @type {Step[]} */
  const steps = [];
  let at = 0;
  phases.forEach((phase, index) => {
    if (index > 0 && rampSeconds > 0) {
      stages.push({ target: phase.rate, duration: `${rampSeconds}s` });
      at += rampSeconds * 1000;
    }
    stages.push({ target: phase.rate, duration: `${phase.seconds}s` });
    steps.push({ label: phase.label, rate: phase.rate, fromMs: at, toMs: at + phase.seconds * 1000 });
    at += phase.seconds * 1000;
  });
  return { stages, startRate: phases[0]?.rate ?? 0, steps, durationMs: at };
}

/**
 * A constant rate for `seconds`, cut into slices of `sliceSeconds` (the last one may be
 * shorter) so that a drift over time shows step by step.
 * @param {number} rate
 * @param {number} seconds
 * @param {number} sliceSeconds
 * @returns {Schedule}
 */
export function constantSlices(rate, seconds, sliceSeconds) {
  /** @type {Step[]} */
  const steps = [];
  for (let from = 0, index = 0; from < seconds * 1000; from += sliceSeconds * 1000, index++) {
    steps.push({ label: String(index), rate, fromMs: from, toMs: Math.min(seconds * 1000, from + sliceSeconds * 1000) });
  }
  return { stages: [{ target: rate, duration: `${seconds}s` }], startRate: rate, steps, durationMs: seconds * 1000 };
}

/**
 * The label of the step `elapsedMs` falls in, or `ramp` between steps.
 * @param {Step[]} steps
 * @param {number} elapsedMs
 */
export function stepAt(steps, elapsedMs) {
  for (const step of steps) if (elapsedMs >= step.fromMs && elapsedMs < step.toMs) return step.label;
  return 'ramp';
}

/** The always-passing expressions of {@link stepSubMetrics}, left out of the summary's threshold list. */
export const STEP_SUB_METRIC_THRESHOLDS = new Set(['max>=0', 'rate>=0', 'count>=0']);

/**
 * Thresholds that always pass, one per step and metric: k6 lists a tagged sub-metric in the
 * summary only when a threshold names it, and the per-step figures are what the summary needs.
 * @param {Step[]} steps
 * @returns {Record<string, string[]>}
 */
export function stepSubMetrics(steps) {
  /** @type {Record<string, string[]>} */
  const thresholds = {};
  for (const step of steps) {
    thresholds[`http_req_duration{step:${step.label}}`] = ['max>=0'];
    thresholds[`http_req_failed{step:${step.label}}`] = ['rate>=0'];
    thresholds[`http_reqs{step:${step.label}}`] = ['count>=0'];
  }
  return thresholds;
}

const scenarioStart = new Gauge('lookout_scenario_start_ms');
let scenarioStartReported = false;

/**
 * The current step's label for the calling VU; the first call of each VU also records the
 * scenario's start time (epoch ms) in the `lookout_scenario_start_ms` gauge, which the summary
 * turns into absolute step times.
 * @param {Step[]} steps
 */
export function currentStep(steps) {
  const startTime = exec.scenario.startTime;
  if (!scenarioStartReported) {
    scenarioStart.add(startTime);
    scenarioStartReported = true;
  }
  return stepAt(steps, Date.now() - startTime);
}
