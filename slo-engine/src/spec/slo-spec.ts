import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.ts';

/** A duration such as `30s`, `5m`, `1h30m`, `30d`. */
const duration = z.string().regex(DURATION_PATTERN, { error: 'expected a duration such as "30s", "5m", "1h30m" or "30d"' });
const positiveDuration = duration.refine((text) => (parseDuration(text) ?? 1) > 0, 'expected a duration longer than 0');

const availability = z.strictObject({ type: z.literal('availability') });
const latency = z.strictObject({
  type: z.literal('latency'),
  /** A request is good when its duration is at most this many milliseconds. */
  thresholdMs: z.number().positive(),
});
const threshold = z.strictObject({
  type: z.literal('threshold'),
  metric: z.enum(['p50', 'p95', 'p99', 'error-rate']),
  /** Milliseconds for the percentiles, a ratio in (0, 1] for error-rate. */
  limit: z.number().positive(),
  /** Short rolling window the metric is computed over, e.g. `5m`. */
  window: positiveDuration,
});

/** Default state thresholds, as shares of the level (1 = 100 %). */
export const DEFAULT_STATE_THRESHOLDS = { green: 0.6, orange: 0.8, red: 1 } as const;
/** Default time a condition must hold before the state changes. */
export const DEFAULT_HOLD = '5m';
/** Default rolling window of budget SLOs. */
export const DEFAULT_WINDOW = '30d';
/** Default minimum events per evaluation window below which burn-rate alerts stay silent. */
export const DEFAULT_MIN_TRAFFIC = 10;

const states = z
  .strictObject({
    green: z.number().nonnegative().default(DEFAULT_STATE_THRESHOLDS.green),
    orange: z.number().positive().default(DEFAULT_STATE_THRESHOLDS.orange),
    red: z.number().positive().default(DEFAULT_STATE_THRESHOLDS.red),
  })
  .refine((s) => s.green < s.orange && s.orange <= s.red, 'expected green < orange <= red')
  .default(DEFAULT_STATE_THRESHOLDS);

const owners = z
  .strictObject({
    /** Notified on orange, red and recovery: e-mail addresses or webhook names. */
    sli: z.array(z.string().min(1)).default([]),
    /** Notified on red and recovery from red. */
    slo: z.array(z.string().min(1)).default([]),
  })
  .default({ sli: [], slo: [] });

/** One SLO of the spec file. */
export const sloSpecItemSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a name of lower-case letters, digits, ".", "_" or "-"'),
    description: z.string().optional(),
    /** Upstream service (proxy `service.target.name`) the SLO is about. */
    service: z.string().min(1).optional(),
    /** Host (`url.domain`) the SLO is about, when not a service. */
    host: z.string().min(1).optional(),
    /** Only requests whose path starts with this. */
    pathPrefix: z.string().startsWith('/').optional(),
    indicator: z.discriminatedUnion('type', [availability, latency, threshold]),
    /** Share of good events over the window, for availability and latency SLOs, e.g. 0.999. */
    objective: z.number().gt(0).lt(1).optional(),
    /** Rolling window of availability and latency SLOs. */
    window: positiveDuration.default(DEFAULT_WINDOW),
    states,
    hold: duration.default(DEFAULT_HOLD),
    owners,
    minTraffic: z.int().nonnegative().default(DEFAULT_MIN_TRAFFIC),
  })
  .superRefine((slo, ctx) => {
    if ((slo.service === undefined) === (slo.host === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'expected exactly one of "service" or "host"' });
    }
    const budget = slo.indicator.type !== 'threshold';
    if (budget && slo.objective === undefined) {
      ctx.addIssue({ code: 'custom', path: ['objective'], message: `expected an objective in (0, 1), e.g. 0.999, for a ${slo.indicator.type} SLO (missing)` });
    }
    if (!budget && slo.objective !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['objective'], message: 'a threshold SLO has no objective: its limit is the objective' });
    }
    if (slo.indicator.type === 'threshold' && slo.indicator.metric === 'error-rate' && slo.indicator.limit > 1) {
      ctx.addIssue({ code: 'custom', path: ['indicator', 'limit'], message: `expected a ratio in (0, 1] for error-rate, got ${slo.indicator.limit}` });
    }
  });

/** The SLO spec file: a list of SLOs with unique names. */
export const sloSpecSchema = z
  .strictObject({ slos: z.array(sloSpecItemSchema).min(1, 'expected at least one SLO') })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.slos.forEach((slo, index) => {
      if (seen.has(slo.name)) ctx.addIssue({ code: 'custom', path: ['slos', index, 'name'], message: `duplicate SLO name "${slo.name}"` });
      seen.add(slo.name);
    });
  });

/** A validated SLO spec file, durations still as strings. */
export type SloSpec = z.infer<typeof sloSpecSchema>;
/** One validated SLO of the spec. */
export type SloSpecItem = z.infer<typeof sloSpecItemSchema>;
