import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';

/** Debian package providing each tool the bench runs. */
const TOOLS: Record<string, string> = { wrk: 'wrk', haproxy: 'haproxy', nginx: 'nginx' };

/** Finds a program on PATH or in the sbin directories (nginx and haproxy live in /usr/sbin). */
export function which(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

function run(command: string, args: string[], log: (line: string) => void): void {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 10 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
  }
}

/**
 * Installs the Debian packages of the tools that are missing (`apt-get update` once, only then).
 * Returns the absolute path of each tool.
 */
export function ensureTools(log: (line: string) => void): Record<'wrk' | 'haproxy' | 'nginx', string> {
  const missing = Object.keys(TOOLS).filter((tool) => !which(tool));
  if (missing.length > 0) {
    const packages = missing.map((tool) => TOOLS[tool] ?? tool);
    log(`missing ${missing.join(', ')}: installing Debian packages ${packages.join(' ')}`);
    if (process.getuid?.() !== 0) {
      throw new Error(`not root: run \`sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}\` first`);
    }
    run('apt-get', ['update'], log);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], log);
  } else {
    log('wrk, haproxy and nginx are installed');
  }
  const path = (tool: string) => {
    const found = which(tool);
    if (!found) throw new Error(`${tool} is still missing after the install`);
    return found;
  };
  return { wrk: path('wrk'), haproxy: path('haproxy'), nginx: path('nginx') };
}

/** First line of a command's combined output (nginx -v writes to stderr, wrk -v exits 1). */
function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || 'unknown';
}

/** Version of an npm package as resolved from `fromDir` (walks up node_modules like Node does). */
export function packageVersion(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Real directory of an installed package (pnpm keeps its dependencies next to it). */
export function packageDir(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Versions of everything that takes part, for the report. */
export function versions(tools: Record<'wrk' | 'haproxy' | 'nginx', string>, benchDir: string, proxyDir: string): Array<[string, string]> {
  const list: Array<[string, string]> = [
    ['node', process.version],
    ['wrk', firstLine(tools.wrk, ['-v'])],
    ['haproxy', firstLine(tools.haproxy, ['-v']).replace(/ - https?:\S+$/, '')],
    ['nginx', firstLine(tools.nginx, ['-v'])],
  ];
  const pkg = (label: string, from: string | undefined, name: string) => {
    list.push([label, (from && packageVersion(from, name)) ?? 'not installed']);
  };
  for (const name of ['fastify', '@fastify/http-proxy', 'http-proxy', 'autocannon']) pkg(name, benchDir, name);
  const fastifyProxy = packageDir(benchDir, '@fastify/http-proxy');
  pkg('@fastify/reply-from (of @fastify/http-proxy)', fastifyProxy, '@fastify/reply-from');
  const replyFrom = fastifyProxy && packageDir(fastifyProxy, '@fastify/reply-from');
  pkg('undici (of @fastify/reply-from)', replyFrom, 'undici');
  const lookoutVersion = existsSync(join(proxyDir, 'package.json'))
    ? (JSON.parse(readFileSync(join(proxyDir, 'package.json'), 'utf8')) as { version?: string }).version
    : undefined;
  list.push(['@lookout/proxy', lookoutVersion ?? 'not found']);
  for (const name of ['hono', '@hono/node-server', 'undici']) pkg(`${name} (of @lookout/proxy)`, proxyDir, name);
  return list;
}

/** What the numbers were measured on. */
export function machine(loadAtStart: number[]): Array<[string, string]> {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return [
    ['hostname', os.hostname()],
    ['nproc', String(os.availableParallelism())],
    ['CPU', model.trim()],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['kernel', `${os.type()} ${os.release()} ${os.arch()}`],
    ['load average at start (1/5/15 min)', loadAtStart.map((n) => n.toFixed(2)).join(' / ')],
    ['load average at end (1/5/15 min)', os.loadavg().map((n) => n.toFixed(2)).join(' / ')],
  ];
}
