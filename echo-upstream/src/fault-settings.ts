import { EchoOptionError } from './errors.ts';
import { booleanKind, describeValue, integerKind, oneOfKind, ratioKind, type ValueKind } from './value-kinds.ts';

export type EchoMode = 'echo' | 'raw';

/**
 * Fault settings. Each one can be a default for every request (CLI flag `--<name>`, config
 * key `<name>`, in-process `faults.<key>`) and be overridden per request by the header
 * `x-echo-<name>`.
 */
export interface FaultSettings {
  /** Status of normal replies. Setting it also turns off an error ratio set at a lower level. */
  status: number;
  /** Status of the replies picked by `errorRatio`. */
  errorStatus: number;
  /** Share of requests answered with `errorStatus`. */
  errorRatio: number;
  /** Share of requests whose connection is reset (TCP RST) after the request body was read. */
  resetRatio: number;
  /** `true` resets every request (same as `resetRatio: 1`); `false` none. */
  reset: boolean;
  /** Wait before the response headers. */
  delayMs: number;
  /** Pause between the parts of a response body. */
  slowBodyMs: number;
  /** Send the headers and this many body bytes, then close the connection. */
  resetAfterBytes: number;
  /** `echo`: JSON description of the request; `raw`: the request body bytes, streamed back. */
  mode: EchoMode;
  /** Respond with this many pattern bytes instead (see response-pattern.ts); wins over `mode`. */
  responseBytes: number;
}

/** What happens to one request. Byte counts use -1 for "off" so the object keeps one shape. */
export interface FaultPlan {
  status: number;
  errorStatus: number;
  errorRatio: number;
  resetRatio: number;
  delayMs: number;
  slowBodyMs: number;
  resetAfterBytes: number;
  mode: EchoMode;
  responseBytes: number;
}

export const DEFAULT_FAULT_PLAN: Readonly<FaultPlan> = Object.freeze({
  status: 200,
  errorStatus: 500,
  errorRatio: 0,
  resetRatio: 0,
  delayMs: 0,
  slowBodyMs: 0,
  resetAfterBytes: -1,
  mode: 'echo',
  responseBytes: -1,
});

/** One row of the settings table, with its value type erased so rows fit in one array. */
export interface FaultSetting {
  readonly key: keyof FaultSettings;
  /** Flag (`--name`), config key and header suffix (`x-echo-name`). */
  readonly name: string;
  readonly header: string;
  readonly kind: ValueKind<unknown>;
  readonly summary: string;
  apply(plan: FaultPlan, value: unknown): void;
}

function setting<K extends keyof FaultSettings>(
  key: K,
  name: string,
  kind: ValueKind<FaultSettings[K]>,
  summary: string,
  apply: (plan: FaultPlan, value: FaultSettings[K]) => void,
): FaultSetting {
  return { key, name, header: `x-echo-${name}`, kind, summary, apply: (plan, value) => apply(plan, value as FaultSettings[K]) };
}

const HOUR_MS = 3_600_000;
const BYTES = integerKind(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer (bytes)');

/**
 * Every fault setting. Order matters: rows are applied top to bottom, so `status` (which turns
 * the error ratio off) comes before `error-ratio`, and `reset` (explicit) after `reset-ratio`.
 */
export const FAULT_SETTINGS: readonly FaultSetting[] = [
  setting('status', 'status', integerKind(200, 599), 'status of normal replies (default 200)', (plan, v) => {
    plan.status = v;
    plan.errorRatio = 0;
  }),
  setting('errorStatus', 'error-status', integerKind(200, 599), 'status used by error-ratio (default 500)', (plan, v) => {
    plan.errorStatus = v;
  }),
  setting('errorRatio', 'error-ratio', ratioKind, 'share of requests answered with error-status', (plan, v) => {
    plan.errorRatio = v;
  }),
  setting('resetRatio', 'reset-ratio', ratioKind, 'share of requests reset (TCP RST) after reading the body', (plan, v) => {
    plan.resetRatio = v;
  }),
  setting('reset', 'reset', booleanKind, '1: reset every request (TCP RST) after reading the body', (plan, v) => {
    plan.resetRatio = v ? 1 : 0;
  }),
  setting('delayMs', 'delay-ms', integerKind(0, HOUR_MS), 'wait before the response headers', (plan, v) => {
    plan.delayMs = v;
  }),
  setting('slowBodyMs', 'slow-body-ms', integerKind(0, HOUR_MS), 'pause between the parts of the response body', (plan, v) => {
    plan.slowBodyMs = v;
  }),
  setting('resetAfterBytes', 'reset-after-bytes', BYTES, 'send headers and N body bytes, then close the connection', (plan, v) => {
    plan.resetAfterBytes = v;
  }),
  setting('mode', 'mode', oneOfKind<EchoMode>(['echo', 'raw']), 'echo: JSON reply; raw: the request body streamed back', (plan, v) => {
    plan.mode = v;
  }),
  setting('responseBytes', 'response-bytes', BYTES, 'respond with N pattern bytes (byte i = i mod 256)', (plan, v) => {
    plan.responseBytes = v;
  }),
];

/**
 * Builds the default plan from typed settings (in-process options, or what the CLI parsed).
 * `where` prefixes error messages, e.g. `faults.` for in-process options.
 */
export function resolveFaultPlan(faults: Partial<FaultSettings> | undefined, where = 'faults.'): FaultPlan {
  const plan: FaultPlan = { ...DEFAULT_FAULT_PLAN };
  if (faults === undefined) return plan;
  const known = new Set<string>(FAULT_SETTINGS.map((s) => s.key));
  for (const key of Object.keys(faults)) {
    if (!known.has(key)) {
      throw new EchoOptionError(`${where}${key} is not a fault setting (expected one of: ${[...known].join(', ')})`);
    }
  }
  for (const s of FAULT_SETTINGS) {
    const raw = faults[s.key];
    if (raw === undefined) continue;
    const value = s.kind.fromValue(raw);
    if (value === undefined) {
      throw new EchoOptionError(`${where}${s.key} expects ${s.kind.expected}, got ${describeValue(raw)}`);
    }
    s.apply(plan, value);
  }
  return plan;
}
