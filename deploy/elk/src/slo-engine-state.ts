import type { ElasticsearchClient } from './elasticsearch-client.ts';
import type { IndexNames } from './index-names.ts';

/** What the setup did about the slo-engine's state indices. */
export interface SloEngineStateOutcome {
  readonly outcome: 'left to the slo-engine';
  readonly detail: string;
}

/**
 * The hook for the slo-engine's own state indices (`<prefix>-slo-engine-` + state, transitions,
 * deliveries, lease, rollups). The engine creates them itself on start, with the mappings it
 * owns, so the setup does not duplicate them; when the engine exports its index setup as a
 * function, call it here with `es` and `names.sloEngineStatePrefix` and report its outcome,
 * so that a cluster can be prepared before the first engine starts.
 */
export async function setUpSloEngineState(_es: ElasticsearchClient, names: IndexNames): Promise<SloEngineStateOutcome> {
  return { outcome: 'left to the slo-engine', detail: `indices ${names.sloEngineStatePrefix}* are created by the slo-engine on start` };
}
