import { randomUUID } from 'node:crypto';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import type { OwnElasticsearch } from '../stack/own-elasticsearch.ts';
import type { MatrixRun } from './matrix-report.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';
import type { ScenarioResult } from './scenario-result.ts';

export interface FaultMatrixOptions {
  readonly scenarios: readonly Scenario[];
  /** The Elasticsearch every scenario's telemetry goes to (killed by the Elasticsearch scenario). */
  readonly elasticsearch: OwnElasticsearch;
  readonly durationS: number;
  readonly rate: number;
  /** The command line, for the report. */
  readonly command: string;
  log(message: string): void;
}

/**
 * Runs the scenarios one after the other, each on a stack of its own over `elasticsearch`, and
 * removes the run's event indices and template afterwards.
 */
export async function runFaultMatrix(options: FaultMatrixOptions): Promise<MatrixRun> {
  const startedAt = new Date().toISOString();
  const runId = `fm${randomUUID().slice(0, 8)}`;
  const index = `hardening-requests-${runId}`;
  const machine = {
    host: hostname(),
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.versions.node,
    loadAverage: loadavg(),
  };
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of options.scenarios) {
      results.push(await runScenario(scenario, { elasticsearch: options.elasticsearch, index, runId, durationS: options.durationS, rate: options.rate, log: options.log }));
    }
  } finally {
    await removeIndices(options.elasticsearch.url, index).catch((error: unknown) => options.log(`could not remove ${index}: ${String(error)}`));
  }
  return { startedAt, machine, command: options.command, rate: options.rate, durationS: options.durationS, results };
}

async function removeIndices(esUrl: string, index: string): Promise<void> {
  await fetch(`${esUrl}/${index}-*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
  await fetch(`${esUrl}/_index_template/${index}`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
}
