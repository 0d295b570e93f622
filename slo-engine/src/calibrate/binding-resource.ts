import type { Knee } from './knee.ts';
import type { StepFigures } from './step-figures.ts';

/**
 * What limited the run, from what the events and the k6 summary can tell:
 * - `upstream`: the latency added under load is mostly upstream time (the upstream got slower);
 * - `proxy-cpu`: it is mostly proxy-side (overhead around the upstream exchange grew, requests
 *   waited before the proxy read them, or the achieved rate fell below the offered one while
 *   the upstream stayed fast): the proxy's event loop ran out of CPU. Memory pressure shows the
 *   same way (garbage collection is CPU); RSS is not in the events, so memory cannot be told
 *   apart here: watch the proxy's `process.memory` metrics or RSS during the run;
 * - `none`: nothing bound within the tested range.
 */
export type BindingResource = 'upstream' | 'proxy-cpu' | 'none';

export interface Binding {
  readonly resource: BindingResource;
  /** One sentence. */
  readonly summary: string;
  /** The figures the decision rests on, one per line. */
  readonly evidence: readonly string[];
}

/** Achieved throughput below this share of the offered rate is saturation. */
export const SATURATION_SHARE = 0.95;

const ms = (value: number): string => `${value.toFixed(2)} ms`;

/** First step (in time order) whose throughput is below {@link SATURATION_SHARE} of its offered rate. */
export function saturationStep(steps: readonly StepFigures[]): StepFigures | undefined {
  return steps.find((s) => s.events > 0 && s.throughput < SATURATION_SHARE * s.rate);
}

/**
 * Decides the binding resource by comparing the first step with the stressed one (the first
 * step off the linear trend, else the first saturated step, else the last step):
 * the growth of the mean duration is split into upstream time and proxy overhead (means add
 * up); the stressed step's client-side p50 (k6) minus the proxy-side p50 is time spent before
 * the proxy read the request. Upstream binds when upstream time carries at least half the
 * growth and requests did not wait for the proxy; otherwise the proxy's CPU does.
 */
export function bindingResource(steps: readonly StepFigures[], knee: Knee | undefined, run: { readonly droppedIterations: number; readonly requestsSent: number; readonly eventsRecorded: number }): Binding {
  const withData = steps.filter((s) => s.events > 0);
  const evidence: string[] = [];
  const base = withData[0];
  if (base === undefined) return { resource: 'none', summary: 'no step has events', evidence };
  const saturated = saturationStep(withData);
  const stressed = (knee === undefined ? undefined : withData.find((s) => s.rate === knee.firstDepartingRate)) ?? saturated ?? withData[withData.length - 1]!;
  // Over the whole run, not per step: k6 tags a request by its send time, the proxy stamps its arrival.
  if (run.eventsRecorded < 0.99 * run.requestsSent) {
    evidence.push(`the proxy recorded ${run.eventsRecorded} events for ${run.requestsSent} k6 requests: telemetry dropped events (queue full) or requests never reached the proxy`);
  }
  if (run.droppedIterations > 0) evidence.push(`k6 dropped ${run.droppedIterations} iterations: it had no free VU when a request was due (responses too slow for MAX_VUS, or k6 short of CPU)`);
  if (saturated !== undefined) evidence.push(`at ${saturated.rate}/s offered the proxy saw ${saturated.throughput.toFixed(0)}/s (${((saturated.throughput / saturated.rate) * 100).toFixed(1)} %)`);

  if (knee === undefined && saturated === undefined) {
    return { resource: 'none', summary: `nothing bound up to ${withData[withData.length - 1]!.rate}/s: latency stayed on its linear trend; raise MAX_RATE to find the limit`, evidence };
  }
  const grow = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
  const dMean = grow(base.meanMs, stressed.meanMs);
  const dUpstream = grow(base.meanUpstreamMs, stressed.meanUpstreamMs);
  const dOverhead = grow(base.meanOverheadMs, stressed.meanOverheadMs);
  if (dMean !== null && dUpstream !== null && dOverhead !== null) {
    evidence.push(
      `mean duration ${ms(base.meanMs!)} at ${base.rate}/s -> ${ms(stressed.meanMs!)} at ${stressed.rate}/s: upstream time ${dUpstream >= 0 ? '+' : ''}${ms(dUpstream)}, proxy overhead ${dOverhead >= 0 ? '+' : ''}${ms(dOverhead)}`,
    );
  }
  const waited = stressed.client.p50Ms !== null && stressed.p50Ms !== null ? stressed.client.p50Ms - stressed.p50Ms : null;
  const waitedLong = waited !== null && waited > Math.max(1, stressed.p50Ms ?? 0);
  if (waited !== null) {
    evidence.push(`at ${stressed.rate}/s k6 saw p50 ${ms(stressed.client.p50Ms!)}, the proxy ${ms(stressed.p50Ms!)}: ${waitedLong ? 'requests waited' : 'no significant wait'} before the proxy read them (${ms(waited)})`);
  }
  if (dMean !== null && dMean <= 0 && !waitedLong && saturated === undefined) {
    return { resource: 'none', summary: 'no resource clearly binds: the mean duration did not grow, only the tail moved (pauses such as GC or other processes on the host)', evidence };
  }
  if (dMean !== null && dUpstream !== null && dMean > 0 && dUpstream >= 0.5 * dMean && !waitedLong) {
    return { resource: 'upstream', summary: `the upstream: it carries ${((dUpstream / dMean) * 100).toFixed(0)} % of the latency added by load`, evidence };
  }
  return {
    resource: 'proxy-cpu',
    summary: 'the proxy host\'s CPU: the latency added by load is outside the upstream exchange (event loop busy; memory pressure would show the same way, as GC time)',
    evidence,
  };
}
