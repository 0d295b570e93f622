import type { Slo } from '../model/slo.ts';
import { budgetLevel, percentile, thresholdLevel } from '../sli/level.ts';
import { resolveSloSpec } from '../spec/load-slo-spec.ts';
import { sloSpecSchema } from '../spec/slo-spec.ts';
import { type Binding, bindingResource, saturationStep } from './binding-resource.ts';
import { CalibrateError } from './calibrate-error.ts';
import { findKnee, type Knee, type KneeOptions } from './knee.ts';
import { type Recommendation, recommend } from './recommendation.ts';
import { RunAggregator, type SloStepSample, type SpanCounts } from './run-aggregator.ts';
import type { RunEventReader } from './run-event.ts';
import { runHost, type RunSummary } from './run-summary.ts';
import { sloLimit, type SloLimit } from './slo-limit.ts';
import { type StepFigures, stepFigures } from './step-figures.ts';

/** Latency percentile the knee is found on. */
export type KneeMetric = 'p50' | 'p95' | 'p99';

/** Events arriving this long after the summary was written still belong to the run (in flight at its end). */
const END_GRACE_MS = 1_000;

export interface CalibrateInput {
  readonly summary: RunSummary;
  /** Names the summary in the report. */
  readonly summaryFile: string;
  readonly reader: RunEventReader;
  /** SLOs to check; default: the run's own thresholds (availability and p99 on its host). */
  readonly slos?: readonly Slo[];
  /** Host whose events are the run's; default: the summary's Host header (or URL host). */
  readonly host?: string;
  readonly kneeMetric?: KneeMetric;
  readonly kneeOptions?: KneeOptions;
  /** Called while reading: events read so far and the total expected. */
  readonly progress?: (read: number, total: number) => void;
}

/** One SLO's level at one step. */
export interface SloStepLevel {
  readonly label: string;
  readonly rate: number;
  readonly events: number;
  /** Good share (budget SLOs), the percentile in ms, or the error rate. */
  readonly sli: number | null;
  readonly level: number | null;
  readonly holds: boolean | null;
}

export interface SloCalibration {
  readonly name: string;
  readonly description: string;
  readonly events: number;
  readonly limit: SloLimit;
  readonly steps: readonly SloStepLevel[];
}

/** Everything `calibrate` found; written as JSON, and rendered as text and SVG. */
export interface CalibrationReport {
  readonly run: {
    readonly profile: string;
    readonly summaryFile: string;
    readonly events: string;
    readonly host: string;
    readonly startedAt: string;
    readonly endedAt: string;
    readonly k6: { readonly requests: number; readonly failed: number; readonly droppedIterations: number; readonly thresholdsPassed: boolean };
    readonly settings: Readonly<Record<string, string | number>>;
  };
  readonly span: { readonly eventsRead: number; readonly probes: number; readonly targetEvents: number; readonly eventsInSteps: number };
  /** Whether the steps are an increasing staircase (the knee and SLO limits need one). */
  readonly staircase: boolean;
  readonly steps: readonly StepFigures[];
  readonly knee: (Knee & { readonly metric: KneeMetric }) | null;
  readonly saturation: { readonly rate: number; readonly throughput: number } | null;
  readonly errorOnset: {
    /** Lowest step rate with any error; null when none. */
    readonly firstErrorRate: number | null;
    /** Lowest step rate whose error rate exceeds the availability budget of the run (1 - SLO_AVAILABILITY). */
    readonly budgetExceededRate: number | null;
    readonly budget: number;
  };
  readonly slos: readonly SloCalibration[];
  readonly binding: Binding;
  readonly recommendation: Recommendation | null;
  readonly notes: readonly string[];
}

/** The SLOs a run checks when no spec is given: its own availability and p99 thresholds, on its host. */
export function runSlos(summary: RunSummary, host: string): Slo[] {
  const spec = sloSpecSchema.parse({
    slos: [
      { name: 'run-availability', host, indicator: { type: 'availability' }, objective: summary.slo.availability },
      { name: 'run-p99', host, indicator: { type: 'threshold', metric: 'p99', limit: summary.slo.p99Ms, window: '5m' } },
    ],
  });
  return resolveSloSpec(spec);
}

function describeSlo(slo: Slo): string {
  const on = [slo.filter.service && `service ${slo.filter.service}`, slo.filter.host && `host ${slo.filter.host}`, slo.filter.pathPrefix && `path ${slo.filter.pathPrefix}*`]
    .filter(Boolean)
    .join(', ');
  if (slo.kind === 'threshold') {
    const limit = slo.indicator.metric === 'error-rate' ? `${slo.indicator.limit * 100} %` : `${slo.indicator.limit} ms`;
    return `${slo.indicator.metric} <= ${limit} (${on})`;
  }
  const what = slo.indicator.type === 'availability' ? 'available' : `<= ${slo.indicator.thresholdMs} ms`;
  return `${(slo.objective * 100).toPrecision(4)} % of requests ${what} (${on})`;
}

function stepLevel(slo: Slo, counts: SloStepSample): { sli: number | null; level: number | null } {
  if (counts.total === 0) return { sli: null, level: null };
  if (slo.kind === 'budget') return { sli: counts.good / counts.total, level: budgetLevel(counts, slo.objective) ?? null };
  if (slo.indicator.metric === 'error-rate') {
    const sli = counts.bad / counts.total;
    return { sli, level: thresholdLevel(sli, slo.indicator.limit) ?? null };
  }
  const sorted = counts.durationsMs.sort((a, b) => a - b);
  const sli = percentile(sorted, { p50: 0.5, p95: 0.95, p99: 0.99 }[slo.indicator.metric]) ?? null;
  return { sli, level: sli === null ? null : (thresholdLevel(sli, slo.indicator.limit) ?? null) };
}

function top(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let most = 0;
  for (const [key, n] of counts) if (n > most) [best, most] = [key, n];
  return best;
}

function list(counts: Map<string, number>): string {
  const entries = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${key || '(empty)'} (${n})`).join(', ');
}

function noEventsError(span: SpanCounts, location: string, host: string, from: number, to: number): CalibrateError {
  const when = `${new Date(from).toISOString()} .. ${new Date(to).toISOString()}`;
  if (span.read === 0) {
    return new CalibrateError(
      'CALIBRATE_NO_EVENTS',
      `events ${location}: no request events in the run's time span (${when}); is this the store the proxy wrote to during the run, with telemetry on?`,
    );
  }
  return new CalibrateError(
    'CALIBRATE_NO_EVENTS',
    `events ${location}: ${span.read} events in the run's time span (${when}), but none for host ${host} (${span.probes} probes; hosts seen: ${list(span.hosts)}); pass --host`,
  );
}

/** Reads the run's events and computes the operating range. Throws {@link CalibrateError}. */
export async function calibrate(input: CalibrateInput): Promise<CalibrationReport> {
  const { summary, reader } = input;
  const host = (input.host ?? runHost(summary)).toLowerCase();
  const slos = input.slos ?? runSlos(summary, host);
  const kneeMetric = input.kneeMetric ?? 'p99';
  const from = Math.min(summary.scenarioStartMs, ...summary.steps.map((s) => s.startMs));
  const to = Math.max(summary.endedAtMs, ...summary.steps.map((s) => s.endMs)) + END_GRACE_MS;

  const aggregator = new RunAggregator(summary.steps, host, slos);
  const total = await reader.count({ from, to });
  input.progress?.(0, total);
  const every = Math.max(10_000, Math.ceil(total / 100));
  await reader.read({ from, to }, (event) => {
    aggregator.add(event);
    if (aggregator.span.read % every === 0) input.progress?.(aggregator.span.read, total);
  });
  input.progress?.(aggregator.span.read, total);
  const span = aggregator.span;
  if (span.target === 0) throw noEventsError(span, reader.location, host, from, to);
  if (slos.every((slo) => (span.sloEvents.get(slo.name) ?? 0) === 0)) {
    throw new CalibrateError(
      'CALIBRATE_SLOS_MATCH_NOTHING',
      `no SLO selects any event of the run: ${slos.map((slo) => `${slo.name}: ${describeSlo(slo)}`).join('; ')}. ` +
        `The run's events carry services: ${list(span.services)}; hosts: ${list(span.hosts)}`,
    );
  }

  const notes: string[] = [];
  const steps = aggregator.samples.map(stepFigures);
  const rates = steps.map((s) => s.rate);
  const staircase = steps.length >= 3 && rates.every((rate, i) => i === 0 || rate > (rates[i - 1] as number));
  const kneePoints = steps.flatMap((s) => {
    const latencyMs = s[`${kneeMetric}Ms`];
    return latencyMs === null ? [] : [{ rate: s.rate, latencyMs }];
  });
  const knee = staircase ? findKnee(kneePoints, input.kneeOptions) : undefined;
  if (!staircase) notes.push(`the steps are not an increasing staircase (profile ${summary.profile}): no knee and no SLO limits, only per-step figures`);
  else if (knee === undefined) notes.push(`no knee: the ${kneeMetric} latency stayed on its linear trend over the tested range`);
  const saturation = staircase ? saturationStep(steps) : undefined;

  const sloCalibrations: SloCalibration[] = slos.map((slo) => {
    const levels: SloStepLevel[] = aggregator.samples.map((sample) => {
      const counts = sample.slos.get(slo.name)!;
      const { sli, level } = stepLevel(slo, counts);
      return { label: sample.step.label, rate: sample.step.rate, events: counts.total, sli, level, holds: level === null ? null : level <= 1 };
    });
    const events = span.sloEvents.get(slo.name) ?? 0;
    if (events === 0) notes.push(`SLO ${slo.name} (${describeSlo(slo)}) selects no event of the run`);
    return {
      name: slo.name,
      description: describeSlo(slo),
      events,
      limit: staircase ? sloLimit(levels.map((l) => ({ rate: l.rate, level: l.level ?? undefined }))) : { kind: 'no-data' as const },
      steps: levels,
    };
  });

  const budget = Number((1 - summary.slo.availability).toPrecision(6));
  const firstError = steps.find((s) => s.errors > 0);
  const overBudget = steps.find((s) => s.errorRate !== null && s.errorRate > budget);
  const binding = staircase
    ? bindingResource(steps, knee, { droppedIterations: summary.totals.droppedIterations, requestsSent: summary.totals.requests, eventsRecorded: span.target })
    : { resource: 'none' as const, summary: 'not assessed: the run is not a staircase of rates', evidence: [] };

  let recommendation: Recommendation | null = null;
  if (staircase) {
    const service = top(span.services);
    recommendation = recommend({
      steps,
      knee,
      saturation,
      sloLimits: sloCalibrations.flatMap((c) => (c.limit.kind === 'within-range' || c.limit.kind === 'below-range' ? [{ label: `SLO ${c.name}`, rate: c.limit.rate }] : [])),
      target: service === undefined ? { host } : { service },
      comment: `Calibrated by lookout calibrate from the ${summary.profile} run of ${new Date(summary.scenarioStartMs).toISOString()} against ${host}`,
    });
  }

  return {
    run: {
      profile: summary.profile,
      summaryFile: input.summaryFile,
      events: reader.location,
      host,
      startedAt: new Date(summary.scenarioStartMs).toISOString(),
      endedAt: new Date(summary.endedAtMs).toISOString(),
      k6: { requests: summary.totals.requests, failed: summary.totals.failed, droppedIterations: summary.totals.droppedIterations, thresholdsPassed: summary.passed },
      settings: summary.settings,
    },
    span: { eventsRead: span.read, probes: span.probes, targetEvents: span.target, eventsInSteps: steps.reduce((n, s) => n + s.events, 0) },
    staircase,
    steps,
    knee: knee === undefined ? null : { ...knee, metric: kneeMetric },
    saturation: saturation === undefined ? null : { rate: saturation.rate, throughput: saturation.throughput },
    errorOnset: { firstErrorRate: firstError?.rate ?? null, budgetExceededRate: overBudget?.rate ?? null, budget },
    slos: sloCalibrations,
    binding,
    recommendation,
    notes,
  };
}
