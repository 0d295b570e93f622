import type { TemplateVariant } from '../../../telemetry/src/index.ts';
import { readClusterInfo, waitForCluster } from './cluster-info.ts';
import { describeCredentials } from './credentials.ts';
import { ElasticsearchClient } from './elasticsearch-client.ts';
import { indexNames } from './index-names.ts';
import { KibanaClient } from './kibana-client.ts';
import { setKibanaSystemPassword } from './kibana-system-password.ts';
import {
  requestEventsPolicy,
  requestEventsTemplate,
  sloStatusPolicy,
  sloStatusTemplate,
  sloTransitionsTemplate,
  type ResourceOptions,
} from './lookout-resources.ts';
import { putIlmPolicyIfChanged, putIndexTemplateIfChanged } from './put-if-changed.ts';
import { readSavedObjectsFile } from './saved-objects-file.ts';
import type { SetupOptions } from './setup-options.ts';
import { setUpSloEngineState } from './slo-engine-state.ts';
import { chooseVariant, defaultReplicas } from './template-variant.ts';
import { checkIndexMappings, ensureDataStream, ensureIndex, ensureWriteAlias, updateWriteIndexMappings } from './write-targets.ts';

/** One line of what a step did, as printed. */
export interface StepReport {
  readonly subject: string;
  readonly outcome: string;
  /** True when the step changed the cluster or Kibana. */
  readonly changed: boolean;
}

/** Everything a run did. */
export interface SetupResult {
  readonly steps: readonly StepReport[];
  /** Steps that changed something; 0 on a second run against the same cluster. */
  readonly changes: number;
  /** The template variant installed (indices runs). */
  readonly variant?: TemplateVariant;
}

const CHANGED = new Set(['created', 'updated', 'imported']);

/**
 * Runs the setup for `options.command`: `indices` installs templates, lifecycle policies and
 * write targets; `kibana` imports the saved objects; `all` does both (Kibana only when a
 * Kibana URL is given); `kibana-system-password` sets the password Kibana connects with.
 * Progress goes to `log` one line at a time. Throws {@link SetupError} on the first failure.
 */
export async function setupElk(options: SetupOptions, log: (line: string) => void): Promise<SetupResult> {
  const steps: StepReport[] = [];
  const record = (subject: string, outcome: string, changed = CHANGED.has(outcome)) => {
    steps.push({ subject, outcome, changed });
    log(`${subject}: ${outcome}`);
  };
  const es = new ElasticsearchClient(options.elasticsearch);
  let variant: TemplateVariant | undefined;

  if (options.command !== 'kibana') {
    log(`elasticsearch ${options.elasticsearch.url} (${describeCredentials(options.elasticsearch.credentials)}): waiting up to ${Math.round(options.waitMs / 1000)}s`);
    await waitForCluster(es, options.waitMs, (reason) => log(`elasticsearch not ready yet: ${reason}`));
  }
  if (options.command === 'kibana-system-password') {
    if (options.kibanaSystemPassword === undefined) throw new Error('kibana-system-password needs the password');
    record('kibana_system password', await setKibanaSystemPassword(es, options.kibanaSystemPassword));
    return { steps, changes: steps.filter((step) => step.changed).length };
  }
  if (options.command === 'all' || options.command === 'indices') {
    variant = await setUpIndices(es, options, log, record);
  }
  if (options.command === 'kibana' || (options.command === 'all' && options.kibana !== undefined)) {
    if (options.kibana === undefined) throw new Error('the kibana command needs a Kibana URL');
    const kibana = new KibanaClient(options.kibana, options.kibanaSpace);
    const file = await readSavedObjectsFile(options.savedObjectsPath);
    log(`kibana ${options.kibana.url} (${describeCredentials(options.kibana.credentials)}): waiting up to ${Math.round(options.waitMs / 1000)}s`);
    await kibana.waitUntilAvailable(options.waitMs, (reason) => log(`kibana not available yet: ${reason}`));
    const result = await kibana.importSavedObjects(file);
    record(`kibana saved objects ${file.path} (${file.objectCount} objects, space ${options.kibanaSpace ?? 'default'})`, `imported ${result.successCount}`, true);
  } else if (options.command === 'all') {
    log('kibana saved objects: skipped (no Kibana URL)');
  }
  return { steps, changes: steps.filter((step) => step.changed).length, ...(variant === undefined ? {} : { variant }) };
}

async function setUpIndices(
  es: ElasticsearchClient,
  options: SetupOptions,
  log: (line: string) => void,
  record: (subject: string, outcome: string) => void,
): Promise<TemplateVariant> {
  const cluster = await readClusterInfo(es);
  const decision = chooseVariant(options.variant, cluster);
  const replicas = options.replicas ?? defaultReplicas(cluster);
  const names = indexNames(options.prefix);
  const why =
    decision.variant === 'production'
      ? 'data streams + ILM'
      : decision.missingModules.length > 0
        ? `write aliases, no ILM: the cluster lacks ${decision.missingModules.join(', ')}`
        : 'write aliases, as asked';
  log(`elasticsearch ${cluster.version}, ${cluster.nodes} node(s), ${cluster.dataNodes} data node(s): ${decision.variant} variant (${why}), ${replicas} replica(s)`);
  const resources: ResourceOptions = { names, variant: decision.variant, replicas };

  // Request events.
  if (decision.variant === 'production') {
    record(`ILM policy ${names.requestsPolicy}`, await putIlmPolicyIfChanged(es, names.requestsPolicy, requestEventsPolicy()));
  }
  const requestsTemplate = requestEventsTemplate(resources);
  const requestsTemplateOutcome = await putIndexTemplateIfChanged(es, names.requestsTemplate, requestsTemplate);
  record(`index template ${names.requestsTemplate}`, requestsTemplateOutcome);
  const target =
    decision.variant === 'production'
      ? await ensureDataStream(es, names.requestsTarget)
      : await ensureWriteAlias(es, names.requestsTarget, names.requestsFirstIndex);
  record(decision.variant === 'production' ? `data stream ${names.requestsTarget}` : `write alias ${names.requestsTarget} (first index ${names.requestsFirstIndex})`, target);
  if (requestsTemplateOutcome === 'updated' && target === 'exists') {
    await updateWriteIndexMappings(es, names.requestsTarget, requestsTemplate.template.mappings);
    record(`mappings of the write index of ${names.requestsTarget}`, 'updated');
  }

  // SLO status series and transitions (documents the slo-engine writes for Kibana).
  if (decision.variant === 'production') {
    record(`ILM policy ${names.sloStatusPolicy}`, await putIlmPolicyIfChanged(es, names.sloStatusPolicy, sloStatusPolicy()));
  }
  const statusTemplate = sloStatusTemplate(resources);
  const statusTemplateOutcome = await putIndexTemplateIfChanged(es, names.sloStatusTemplate, statusTemplate);
  record(`index template ${names.sloStatusTemplate}`, statusTemplateOutcome);
  const statusAlias = await ensureWriteAlias(es, names.sloStatusAlias, names.sloStatusFirstIndex);
  record(`write alias ${names.sloStatusAlias} (first index ${names.sloStatusFirstIndex})`, statusAlias);
  if (statusTemplateOutcome === 'updated' && statusAlias === 'exists') {
    await updateWriteIndexMappings(es, names.sloStatusAlias, statusTemplate.template.mappings);
    record(`mappings of the write index of ${names.sloStatusAlias}`, 'updated');
  }
  const transitionsTemplate = sloTransitionsTemplate(resources);
  const transitionsTemplateOutcome = await putIndexTemplateIfChanged(es, names.sloTransitionsTemplate, transitionsTemplate);
  record(`index template ${names.sloTransitionsTemplate}`, transitionsTemplateOutcome);
  const transitionsIndex = await ensureIndex(es, names.sloTransitionsIndex);
  if (transitionsIndex === 'exists') await checkIndexMappings(es, names.sloTransitionsIndex, transitionsTemplate.template.mappings);
  record(`index ${names.sloTransitionsIndex}`, transitionsIndex);
  if (transitionsTemplateOutcome === 'updated' && transitionsIndex === 'exists') {
    await updateWriteIndexMappings(es, names.sloTransitionsIndex, transitionsTemplate.template.mappings);
    record(`mappings of ${names.sloTransitionsIndex}`, 'updated');
  }

  const engineState = await setUpSloEngineState(es, names);
  record(`slo-engine state`, `${engineState.outcome} (${engineState.detail})`);
  return decision.variant;
}
