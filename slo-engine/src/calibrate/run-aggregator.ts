import type { TerminationCode } from '@lookout/telemetry';
import type { Slo } from '../model/slo.ts';
import { countsFor, isAvailable, isGood, type SliEvent } from '../sli/level.ts';
import type { RunEvent } from './run-event.ts';
import type { RunStep } from './run-summary.ts';

const NS_PER_MS = 1_000_000;

/** The events of one SLO within one step: what its level needs. */
export interface SloStepSample {
  total: number;
  /** Good events of a budget SLO (availability or latency). */
  good: number;
  /** Not-available events (5xx or proxy-side failure), for error-rate SLOs. */
  bad: number;
  /** Durations in ms, kept only for percentile SLOs. */
  readonly durationsMs: number[];
}

/** The events of one step of the run, for the run's target host. */
export interface StepSample {
  readonly step: RunStep;
  /** Durations (`event.duration`) in ms, in arrival order. */
  readonly durationsMs: number[];
  /** Not-available events (5xx or proxy-side failure, as the availability SLI counts them). */
  errors: number;
  /** Sum of the upstream part of the events that reached an upstream and got its full answer, ms. */
  upstreamSumMs: number;
  /** Sum of the whole duration of those same events, ms. */
  upstreamEventsDurationSumMs: number;
  /** How many events had both timings. */
  upstreamEvents: number;
  /** Per SLO name. */
  readonly slos: Map<string, SloStepSample>;
}

/** Counts over the whole time span of the run. */
export interface SpanCounts {
  /** Every event read (probes and other hosts included). */
  read: number;
  probes: number;
  /** Events of the run's host, in a step or in a ramp between steps. */
  target: number;
  /** Events per `url.domain` and per `service.target.name` (probes left out), for messages and the recommendation. */
  readonly hosts: Map<string, number>;
  readonly services: Map<string, number>;
  /** Events per SLO over the whole span. */
  readonly sloEvents: Map<string, number>;
}

type MutableSliEvent = {
  event: { duration: number };
  http: { response: { status_code: number } };
  lookout: { termination: TerminationCode; probe: boolean };
  service: { target: { name: string } | undefined };
  url: { domain: string; path: string };
};

/**
 * Sorts a run's events into its steps (by `@timestamp`, the request's arrival at the proxy):
 * events of `host` (the run's target) feed the step figures; each SLO gets the events its own
 * filter selects, exactly as the engine counts them (`sli/level.ts`). Probes never count.
 */
export class RunAggregator {
  readonly samples: StepSample[];
  readonly span: SpanCounts = { read: 0, probes: 0, target: 0, hosts: new Map(), services: new Map(), sloEvents: new Map() };
  readonly #host: string;
  readonly #slos: readonly Slo[];
  readonly #starts: number[];
  readonly #targets = new Map<string, { name: string }>();
  readonly #sli: MutableSliEvent = {
    event: { duration: 0 },
    http: { response: { status_code: 0 } },
    lookout: { termination: 'ok', probe: false },
    service: { target: undefined },
    url: { domain: '', path: '' },
  };

  constructor(steps: readonly RunStep[], host: string, slos: readonly Slo[]) {
    const ordered = [...steps].sort((a, b) => a.startMs - b.startMs);
    this.samples = ordered.map((step) => ({
      step,
      durationsMs: [],
      errors: 0,
      upstreamSumMs: 0,
      upstreamEventsDurationSumMs: 0,
      upstreamEvents: 0,
      slos: new Map(slos.map((slo) => [slo.name, { total: 0, good: 0, bad: 0, durationsMs: [] }])),
    }));
    this.#starts = ordered.map((step) => step.startMs);
    this.#host = host;
    this.#slos = slos;
  }

  /** Adds one event (the object may be reused by the caller afterwards). */
  add(event: RunEvent): void {
    this.span.read++;
    if (event.probe) {
      this.span.probes++;
      return;
    }
    this.span.hosts.set(event.domain, (this.span.hosts.get(event.domain) ?? 0) + 1);
    if (event.service !== null) this.span.services.set(event.service, (this.span.services.get(event.service) ?? 0) + 1);
    const sample = this.#sampleAt(event.ts);
    const sli = this.#fill(event);
    const durationMs = event.durationNs / NS_PER_MS;
    const available = isAvailable(sli);
    for (const slo of this.#slos) {
      if (!countsFor(slo.filter, sli)) continue;
      this.span.sloEvents.set(slo.name, (this.span.sloEvents.get(slo.name) ?? 0) + 1);
      const counts = sample?.slos.get(slo.name);
      if (counts === undefined) continue;
      counts.total++;
      if (!available) counts.bad++;
      if (slo.kind === 'budget') {
        if (isGood(slo.indicator, sli)) counts.good++;
      } else if (slo.indicator.metric !== 'error-rate') {
        counts.durationsMs.push(durationMs);
      }
    }
    if (event.domain !== this.#host) return;
    this.span.target++;
    if (sample === undefined) return;
    sample.durationsMs.push(durationMs);
    if (!available) sample.errors++;
    if (event.connectMs !== null && event.upstreamLastByteMs !== null) {
      sample.upstreamEvents++;
      sample.upstreamSumMs += event.upstreamLastByteMs - event.connectMs;
      sample.upstreamEventsDurationSumMs += durationMs;
    }
  }

  /** The step whose window `[startMs, endMs)` holds `ts`, if any (binary search on the starts). */
  #sampleAt(ts: number): StepSample | undefined {
    let low = 0;
    let high = this.#starts.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((this.#starts[mid] as number) <= ts) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    const sample = found === -1 ? undefined : this.samples[found];
    return sample !== undefined && ts < sample.step.endMs ? sample : undefined;
  }

  #target(name: string): { name: string } {
    let target = this.#targets.get(name);
    if (target === undefined) this.#targets.set(name, (target = { name }));
    return target;
  }

  #fill(event: RunEvent): SliEvent {
    const sli = this.#sli;
    sli.event.duration = event.durationNs;
    sli.http.response.status_code = event.status;
    sli.lookout.termination = event.termination;
    sli.lookout.probe = event.probe;
    sli.service.target = event.service === null ? undefined : this.#target(event.service);
    sli.url.domain = event.domain;
    sli.url.path = event.path;
    return sli;
  }
}
