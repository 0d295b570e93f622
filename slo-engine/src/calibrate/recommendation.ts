import { stringify } from 'yaml';
import { validateSloSpecText } from '../spec/load-slo-spec.ts';
import { DEFAULT_STATE_THRESHOLDS } from '../spec/slo-spec.ts';
import type { Knee } from './knee.ts';
import type { StepFigures } from './step-figures.ts';

/** Share of the first limit recommended as the highest sustained rate (20 % headroom). */
export const HEADROOM = 0.8;
/** Availability objectives considered, strictest first. */
const OBJECTIVES = [0.9999, 0.999, 0.995, 0.99] as const;

export interface Recommendation {
  /** The lowest of: the knee, the last step before saturation, the SLO limits found; undefined when none was reached. */
  readonly firstLimitRate: number | undefined;
  readonly firstLimit: string;
  /** {@link HEADROOM} × the first limit (or × the highest tested rate), rounded down to 2 significant digits. */
  readonly maxSustainedRate: number;
  readonly p99LimitMs: number;
  readonly availabilityObjective: number;
  readonly errorRateLimit: number;
  /** The SLO levels at `maxSustainedRate` (from the steps, interpolated): green is at most 0.6. */
  readonly expectedLevels: { readonly p99: number | null; readonly errorRate: number | null };
  /** Why each figure is what it is, one per line. */
  readonly reasons: readonly string[];
  /** Ready-to-use SLO spec (validated against the spec schema). */
  readonly yaml: string;
  /** The same bounds for the k6 profiles' thresholds. */
  readonly k6Env: { readonly SLO_AVAILABILITY: string; readonly SLO_P99_MS: string };
}

/** Smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten) at or above `value`. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const candidate = Number((m * power).toPrecision(12));
    if (candidate >= value * (1 - 1e-12)) return candidate;
  }
  return 10 * power;
}

/** `value` rounded down to 2 significant digits. */
function floor2(value: number): number {
  if (!(value > 0)) return 0;
  const power = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Math.floor(value / power + 1e-9) * power;
}

/** A step figure at `rate`, interpolated linearly between the neighbouring steps (clamped at the ends). */
export function figureAt(steps: readonly StepFigures[], rate: number, pick: (s: StepFigures) => number | null): number | null {
  const points = steps.flatMap((s) => {
    const y = pick(s);
    return y === null ? [] : [{ x: s.rate, y }];
  });
  if (points.length === 0) return null;
  points.sort((a, b) => a.x - b.x);
  if (rate <= points[0]!.x) return points[0]!.y;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (rate <= b.x) return b.x === a.x ? b.y : a.y + ((b.y - a.y) * (rate - a.x)) / (b.x - a.x);
  }
  return points[points.length - 1]!.y;
}

export interface RecommendationInput {
  /** Steps of an increasing staircase. */
  readonly steps: readonly StepFigures[];
  readonly knee: Knee | undefined;
  readonly saturation: StepFigures | undefined;
  /** Limits of the SLOs that apply, with a label each (e.g. the SLO name). */
  readonly sloLimits: readonly { readonly label: string; readonly rate: number }[];
  /** `service` of the recommended SLOs, or `host` when the events carry no service. */
  readonly target: { readonly service: string } | { readonly host: string };
  /** First line of the YAML, a comment naming the run. */
  readonly comment: string;
}

/**
 * Recommends SLO bounds from the operating range:
 * - max sustained rate: 80 % of the first limit met (knee, saturation, an SLO breaking);
 * - p99 limit: the p99 at the first limit, raised if needed so that the p99 at the max
 *   sustained rate is at most 60 % of it (green), rounded up to a nice number; the latency
 *   budget SLO uses the same bound with a 99 % objective (p99 <= T is "99 % of requests <= T");
 * - availability objective: the strictest of 99.99/99.9/99.5/99 % whose error budget is at
 *   least 10 × the error rate measured below the limit and that the run's event count can
 *   support (at least 10 budget-worth of errors could have shown);
 * - error-rate limit over 5 min: 10 × the budget rate (a 10× burn), at most 5 %.
 */
export function recommend(input: RecommendationInput): Recommendation {
  const { steps, knee, saturation } = input;
  const reasons: string[] = [];
  const limits: { label: string; rate: number }[] = [...input.sloLimits];
  if (knee !== undefined) limits.push({ label: 'the knee', rate: knee.rate });
  if (saturation !== undefined) {
    const before = steps.filter((s) => s.rate < saturation.rate).at(-1);
    limits.push({ label: 'saturation', rate: before?.rate ?? saturation.rate });
  }
  limits.sort((a, b) => a.rate - b.rate);
  const first = limits[0];
  const highest = Math.max(...steps.map((s) => s.rate));
  const maxSustainedRate = floor2(HEADROOM * (first?.rate ?? highest));
  reasons.push(
    first === undefined
      ? `no limit within the tested range (up to ${highest}/s): max sustained rate ${maxSustainedRate}/s is 80 % of the highest tested rate, a floor rather than a limit`
      : `first limit: ${first.label} at ${first.rate.toFixed(0)}/s; max sustained rate ${maxSustainedRate}/s = 80 % of it, rounded down`,
  );

  const p99 = (s: StepFigures): number | null => s.p99Ms;
  const limitRate = first?.rate ?? highest;
  const p99AtLimit = figureAt(steps, limitRate, p99) ?? 1;
  const p99AtRate = figureAt(steps, maxSustainedRate, p99) ?? p99AtLimit;
  const green = DEFAULT_STATE_THRESHOLDS.green;
  const p99LimitMs = niceCeil(Math.max(p99AtLimit, p99AtRate / green));
  reasons.push(
    `p99 limit ${p99LimitMs} ms: p99 was ${p99AtLimit.toFixed(2)} ms at ${limitRate.toFixed(0)}/s and ${p99AtRate.toFixed(2)} ms at ${maxSustainedRate}/s (level ${(p99AtRate / p99LimitMs).toFixed(2)}, green <= ${green})`,
  );

  const below = steps.filter((s) => s.rate <= limitRate && s.events > 0);
  const events = below.reduce((n, s) => n + s.events, 0);
  const errors = below.reduce((n, s) => n + s.errors, 0);
  const errorRate = events === 0 ? 0 : errors / events;
  const objective = OBJECTIVES.find((o) => errorRate <= 0.1 * (1 - o) && events * (1 - o) >= 10) ?? 0.99;
  reasons.push(
    `availability objective ${objective * 100} %: ${errors} errors in ${events} events up to ${limitRate.toFixed(0)}/s (${(errorRate * 100).toFixed(4)} %); ` +
      `the strictest objective whose budget is >= 10x that and that ${events} events can support`,
  );
  const errorRateLimit = Math.min(0.05, Number((10 * (1 - objective)).toPrecision(6)));
  reasons.push(`error-rate limit ${errorRateLimit * 100} % over 5 min: a burn of 10x the ${((1 - objective) * 100).toPrecision(3)} % budget`);

  const name = 'service' in input.target ? input.target.service : input.target.host;
  const slug = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'service';
  const selector = 'service' in input.target ? { service: input.target.service } : { host: input.target.host };
  const spec = {
    slos: [
      { name: `${slug}-availability`, ...selector, indicator: { type: 'availability' }, objective, window: '30d' },
      { name: `${slug}-latency`, ...selector, indicator: { type: 'latency', thresholdMs: p99LimitMs }, objective: 0.99, window: '30d' },
      { name: `${slug}-p99`, ...selector, indicator: { type: 'threshold', metric: 'p99', limit: p99LimitMs, window: '5m' } },
      { name: `${slug}-error-rate`, ...selector, indicator: { type: 'threshold', metric: 'error-rate', limit: errorRateLimit, window: '5m' } },
    ],
  };
  const yaml = `# ${input.comment}\n${stringify(spec, { collectionStyle: 'any', flowCollectionPadding: true })}`;
  validateSloSpecText(yaml, 'recommended SLOs');
  const errorRateAtRate = figureAt(steps, maxSustainedRate, (s) => s.errorRate);
  return {
    firstLimitRate: first?.rate,
    firstLimit: first?.label ?? 'none within the tested range',
    maxSustainedRate,
    p99LimitMs,
    availabilityObjective: objective,
    errorRateLimit,
    expectedLevels: { p99: p99AtRate / p99LimitMs, errorRate: errorRateAtRate === null ? null : errorRateAtRate / errorRateLimit },
    reasons,
    yaml,
    k6Env: { SLO_AVAILABILITY: String(objective), SLO_P99_MS: String(p99LimitMs) },
  };
}
