import { createHash } from 'node:crypto';
import { UNAVAILABLE_TERMINATIONS, latencyLimitNs } from '../events/good-event-rule.ts';
import type { BudgetIndicator, SloFilter } from '../model/slo.ts';

/** Bumped when the meaning of stored rollups changes, so that every key is rebuilt. */
const ROLLUP_FORMAT = 1;

/**
 * The rollup key of a budget SLI: `<indicator type>-<24 hex digits>` of a SHA-256 over the
 * filter and what makes an event good. Two SLIs that select and judge the same events share
 * a key (137 ms and 137.0000000001 ms compare against the same nanosecond bound); any change of
 * filter, threshold or of the availability rule (the TERMINATIONS table) gives a new key, whose
 * rollups are then built from raw events.
 *
 * @example sliFingerprint({ service: 'orders' }, { type: 'latency', thresholdMs: 137 }) // 'latency-5f0c...'
 */
export function sliFingerprint(filter: SloFilter, indicator: BudgetIndicator): string {
  const canonical = JSON.stringify([
    ROLLUP_FORMAT,
    filter.service ?? null,
    filter.host ?? null,
    filter.pathPrefix ? filter.pathPrefix : null,
    indicator.type === 'latency' ? ['latency', latencyLimitNs(indicator.thresholdMs)] : ['availability', ...UNAVAILABLE_TERMINATIONS],
  ]);
  return `${indicator.type}-${createHash('sha256').update(canonical).digest('hex').slice(0, 24)}`;
}
