import type { TemplateVariant } from '../../../telemetry/src/index.ts';
import type { ClusterInfo } from './cluster-info.ts';
import { SetupError } from './setup-error.ts';

/** What the operator asked for: `auto` picks production when the cluster has every module it needs. */
export type VariantChoice = TemplateVariant | 'auto';

/**
 * Modules the production variant uses: data streams, ILM, and the mapper types of the
 * production template (`wildcard`, `constant_keyword`, `match_only_text`). Names as
 * `GET _nodes/plugins` lists them.
 */
export const PRODUCTION_MODULES = ['data-streams', 'x-pack-ilm', 'wildcard', 'constant-keyword', 'mapper-extras'] as const;

/** The variant to install and, when it is portable, the modules that ruled production out. */
export interface VariantDecision {
  readonly variant: TemplateVariant;
  readonly missingModules: readonly string[];
}

/** Decides the template variant for `cluster`; a forced production variant on a cluster without its modules fails. */
export function chooseVariant(choice: VariantChoice, cluster: ClusterInfo): VariantDecision {
  const missingModules = PRODUCTION_MODULES.filter((name) => !cluster.modules.has(name));
  if (choice === 'portable') return { variant: 'portable', missingModules };
  if (missingModules.length === 0) return { variant: 'production', missingModules };
  if (choice === 'production') {
    throw new SetupError(
      'LOOKOUT_SETUP_ES_UNSUPPORTED',
      `the production variant needs the modules ${PRODUCTION_MODULES.join(', ')}; this cluster lacks ${missingModules.join(', ')} (use --variant portable)`,
    );
  }
  return { variant: 'portable', missingModules };
}

/**
 * Replicas for new indices: one when there is a second data node to hold it, else none (a
 * replica that can never be assigned keeps a single-node cluster yellow).
 */
export function defaultReplicas(cluster: ClusterInfo): number {
  return cluster.dataNodes > 1 ? 1 : 0;
}
