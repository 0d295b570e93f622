import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A tool from scripts/install-go-tools.sh: its path, or why it is missing. */
export interface DeployTool {
  readonly path: string;
  readonly problem: string;
}

const CACHE = process.env.LOOKOUT_CACHE ?? join(homedir(), '.cache', 'lookout');

/** The tools scripts/install-go-tools.sh installs. */
export type DeployToolName = 'helm' | 'kubeconform' | 'compose-config' | 'dockerfile-check';

/**
 * The path of `name`: `LOOKOUT_<NAME>` when set (what `eval "$(scripts/install-go-tools.sh)"`
 * exports, e.g. LOOKOUT_COMPOSE_CONFIG), else the install cache. With CI=true a missing tool
 * throws, so the test fails instead of skipping.
 */
export function deployTool(name: DeployToolName): DeployTool {
  const variable = `LOOKOUT_${name.toUpperCase().replaceAll('-', '_')}`;
  const path = process.env[variable] ?? join(CACHE, 'bin', name);
  if (existsSync(path)) return { path, problem: '' };
  const problem = `${name} not found at ${path} (run: eval "$(scripts/install-go-tools.sh)")`;
  if (process.env.CI === 'true') throw new Error(problem);
  return { path: '', problem };
}

/** The Kubernetes OpenAPI document and its version (`LOOKOUT_KUBERNETES_OPENAPI`, `LOOKOUT_KUBERNETES_VERSION`). */
export function kubernetesOpenApi(): { path: string; version: string; problem: string } {
  const version = process.env.LOOKOUT_KUBERNETES_VERSION ?? '1.36.3';
  const path = process.env.LOOKOUT_KUBERNETES_OPENAPI ?? join(process.env.GOMODCACHE ?? join(homedir(), 'go', 'pkg', 'mod'), `k8s.io/kubernetes@v${version}`, 'api/openapi-spec/swagger.json');
  if (existsSync(path)) return { path, version, problem: '' };
  const problem = `no Kubernetes OpenAPI document at ${path} (run: eval "$(scripts/install-go-tools.sh)")`;
  if (process.env.CI === 'true') throw new Error(problem);
  return { path: '', version, problem };
}

/** Where generated schemas are cached between runs. */
export const SCHEMA_CACHE = join(CACHE, 'kubernetes-json-schema');
