import type { IncomingHttpHeaders } from 'node:http';
import { FAULT_SETTINGS, type FaultPlan } from './fault-settings.ts';
import { describeValue } from './value-kinds.ts';

export const BAD_FAULT_HEADER = 'ECHO_BAD_FAULT_HEADER';

/** A fault header with an invalid value; answered with 400 and this as `error`. */
export interface BadFaultHeader {
  readonly code: typeof BAD_FAULT_HEADER;
  readonly header: string;
  readonly message: string;
}

/**
 * The plan for one request: `defaults` overridden by its `x-echo-*` headers. Returns
 * `defaults` itself (no allocation) when the request carries no fault header.
 */
export function planForRequest(headers: IncomingHttpHeaders, defaults: FaultPlan): FaultPlan | BadFaultHeader {
  let plan = defaults;
  for (const s of FAULT_SETTINGS) {
    const raw = headers[s.header];
    if (raw === undefined) continue;
    // Node joins repeated custom headers with ", ", which then fails validation: intended.
    const text = typeof raw === 'string' ? raw : raw.join(', ');
    const value = s.kind.fromText(text);
    if (value === undefined) {
      return { code: BAD_FAULT_HEADER, header: s.header, message: `${s.header} expects ${s.kind.expected}, got ${describeValue(text)}` };
    }
    if (plan === defaults) plan = { ...defaults };
    s.apply(plan, value);
  }
  return plan;
}
