import { REQUEST_EVENTS_TARGET } from './index-names.ts';

/** When a write index (or backing index) is rolled over; Elasticsearch rollover condition names. */
export interface RolloverConditions {
  readonly max_age?: string;
  readonly max_primary_shard_size?: string;
  readonly max_docs?: number;
}

/** Default rollover: daily, or earlier at 50 GB per primary shard (Elastic's guidance for logs). */
export const REQUEST_EVENTS_ROLLOVER: RolloverConditions = { max_age: '1d', max_primary_shard_size: '50gb' };

/**
 * Default age after rollover at which indices are deleted: the longest SLO window (30 d) plus
 * margin, since the slo-engine recomputes an SLO from raw events when its spec changes.
 */
export const REQUEST_EVENTS_RETENTION = '35d';

/** Options of {@link ilmPolicyBody}. */
export interface LifecycleOptions {
  readonly rollover?: RolloverConditions;
  readonly retention?: string;
}

/** ILM policy for the production variant: `PUT _ilm/policy/<REQUEST_EVENTS_ILM_POLICY>`. */
export function ilmPolicyBody(options: LifecycleOptions = {}) {
  return {
    policy: {
      _meta: { managed_by: 'lookout' },
      phases: {
        hot: { actions: { rollover: { ...(options.rollover ?? REQUEST_EVENTS_ROLLOVER) } } },
        delete: { min_age: options.retention ?? REQUEST_EVENTS_RETENTION, actions: { delete: {} } },
      },
    },
  };
}

/**
 * Portable variant, once: `PUT <REQUEST_EVENTS_FIRST_INDEX>` with this body creates the first
 * index behind the write alias. The alias lives here, never in the template (rollover refuses
 * an alias that a template would put on every new index).
 */
export function bootstrapIndexBody(alias: string = REQUEST_EVENTS_TARGET) {
  return { aliases: { [alias]: { is_write_index: true } } };
}

/**
 * Portable variant, periodically (there is no ILM): `POST <REQUEST_EVENTS_TARGET>/_rollover`
 * with this body rolls over when a condition is met, and is a no-op otherwise. Deleting indices
 * older than the retention is then the caller's job.
 */
export function rolloverRequestBody(conditions: RolloverConditions = REQUEST_EVENTS_ROLLOVER) {
  return { conditions: { ...conditions } };
}
