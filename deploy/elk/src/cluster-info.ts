import type { ElasticsearchClient } from './elasticsearch-client.ts';
import { SetupError } from './setup-error.ts';

/** What the setup needs to know about a cluster to choose the template variant and replicas. */
export interface ClusterInfo {
  /** Lowest version among the nodes. */
  readonly version: string;
  readonly nodes: number;
  readonly dataNodes: number;
  /** Module names present on every node (`GET _nodes/plugins`). */
  readonly modules: ReadonlySet<string>;
}

interface NodesInfo {
  readonly nodes?: Record<string, { version?: string; roles?: string[]; modules?: { name: string }[] }>;
}

/**
 * Reads version, node roles and modules from `GET _nodes/plugins` (available on every
 * distribution, including a core-only build that has no `GET /`).
 */
export async function readClusterInfo(es: ElasticsearchClient): Promise<ClusterInfo> {
  const info = await es.json<NodesInfo>({ method: 'GET', path: '/_nodes/plugins' });
  const nodes = Object.values(info?.nodes ?? {});
  if (nodes.length === 0) throw new SetupError('LOOKOUT_SETUP_ES_UNSUPPORTED', 'GET /_nodes/plugins listed no nodes');
  const versions = nodes.map((node) => node.version ?? '0.0.0').sort(compareVersions);
  let modules: Set<string> | undefined;
  for (const node of nodes) {
    const names = new Set((node.modules ?? []).map((module) => module.name));
    modules = modules === undefined ? names : new Set([...modules].filter((name) => names.has(name)));
  }
  const dataNodes = nodes.filter((node) => (node.roles ?? []).some((role) => role === 'data' || role.startsWith('data_'))).length;
  const version = versions[0]!;
  const major = Number(version.split('.')[0]);
  if (!(major >= 8)) {
    throw new SetupError('LOOKOUT_SETUP_ES_UNSUPPORTED', `Elasticsearch ${version} is older than 8.0 (composable index templates and the templates' mappings need 8.x or newer)`);
  }
  return { version, nodes: nodes.length, dataNodes, modules: modules ?? new Set() };
}

function compareVersions(a: string, b: string): number {
  const left = a.split(/[.-]/).map(Number);
  const right = b.split(/[.-]/).map(Number);
  for (let index = 0; index < 3; index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Waits until the cluster answers `_cluster/health` with yellow or green, retrying while it
 * cannot be reached or answers 503 (still starting), for at most `waitMs`. Credentials refused
 * fail at once: waiting would not change them.
 */
export async function waitForCluster(es: ElasticsearchClient, waitMs: number, onRetry: (reason: string) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  const request = { method: 'GET', path: '/_cluster/health?wait_for_status=yellow&timeout=5s' } as const;
  let lastProblem = '';
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await es.send(request);
      if (response.status === 200) return;
      if (response.status === 401 || response.status === 403) {
        await es.json(request);
      }
      lastProblem = `cluster health answered ${response.status}`;
    } catch (error) {
      if (!(error instanceof SetupError) || error.code !== 'LOOKOUT_SETUP_ES_UNREACHABLE') throw error;
      if (Date.now() >= deadline) throw error;
      lastProblem = error.message;
    }
    if (Date.now() >= deadline) {
      throw new SetupError('LOOKOUT_SETUP_ES_NOT_READY', `${es.endpoint.url}: ${lastProblem} after ${Math.round(waitMs / 1000)}s`);
    }
    onRetry(lastProblem);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** Math.min(attempt, 2), Math.max(0, deadline - Date.now()))));
  }
}
