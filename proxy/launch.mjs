// How the proxy is started outside tests: the bundle built by build.ts, with the Node flags and
// environment of node-runtime.json (measured; see bench/results). Plain JavaScript so that
// scripts/run.mjs can use it before the pinned runtime exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROXY_BUNDLE = join(HERE, 'dist', 'main.js');
const SOURCES = [join(HERE, 'src'), join(HERE, '..', 'telemetry', 'src'), join(HERE, '..', 'config-file', 'src'), join(HERE, 'build.ts')];

/** `{ execArgv, env }` to start the bundle with. */
export function proxyRuntime() {
  return JSON.parse(readFileSync(join(HERE, 'node-runtime.json'), 'utf8'));
}

/** The node arguments that start the proxy with `args` (e.g. `['--config', file]`). */
export function proxyArgs(args) {
  return [...proxyRuntime().execArgv, PROXY_BUNDLE, ...args];
}

/** Rebuilds dist/main.js when a source is newer than it. `node` must be Node >= 24. */
export function buildProxyIfStale(node, log = () => {}) {
  const built = existsSync(PROXY_BUNDLE) ? statSync(PROXY_BUNDLE).mtimeMs : 0;
  if (built > 0 && newestMtime(SOURCES) <= built) return;
  log('building the proxy bundle (proxy/dist/main.js) ...');
  const result = spawnSync(node, [join(HERE, 'build.ts')], { stdio: 'inherit', cwd: HERE });
  if (result.status !== 0) throw new Error(`proxy build failed (exit ${result.status ?? result.signal})`);
}

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) newest = Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name))));
    else newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}
