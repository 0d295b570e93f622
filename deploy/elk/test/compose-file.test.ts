import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTool } from '../../helm/test/deploy-tools.ts';

/*
 * The compose file loaded by compose-config (deploy/elk/compose-config: compose-spec's loader,
 * the one `docker compose config` uses: interpolation, JSON-schema validation, dependency
 * checks), with the committed .env.example as the env file. No Docker engine is involved.
 */

const ELK = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE_FILE = join(ELK, 'docker-compose.yml');
const ENV_EXAMPLE = join(ELK, '.env.example');
const composeConfig = deployTool('compose-config');

function load(file: string, envFiles: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      composeConfig.path,
      [...envFiles.flatMap((envFile) => ['--env-file', envFile]), file],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe.skipIf(!composeConfig.path)('deploy/elk/docker-compose.yml', () => {
  let project: any;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lookout-compose-'));
    const loaded = await load(COMPOSE_FILE, [ENV_EXAMPLE]);
    expect(loaded.stderr).toBe('');
    expect(loaded.exitCode).toBe(0);
    project = JSON.parse(loaded.stdout);
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('loads and validates with the committed .env.example', () => {
    expect(project.name).toBe('lookout-elk');
    expect(Object.keys(project.services).sort()).toEqual(['elasticsearch', 'kibana', 'kibana-password', 'setup']);
  });

  it('runs Elasticsearch with security on, the password from the env file, a health check and loopback ports', () => {
    const es = project.services.elasticsearch;
    expect(es.image).toBe('elasticsearch:8.19.21');
    expect(es.environment['xpack.security.enabled']).toBe('true');
    expect(es.environment.ELASTIC_PASSWORD).toBe('change-me-elastic');
    expect(es.healthcheck.test.join(' ')).toContain('_cluster/health?wait_for_status=yellow');
    expect(es.ports).toEqual([expect.objectContaining({ host_ip: '127.0.0.1', target: 9200, published: '9200' })]);
  });

  it('orders the jobs: kibana_system password after Elasticsearch is healthy, Kibana after it, the setup last', () => {
    const { 'kibana-password': password, kibana, setup } = project.services;
    expect(password.command).toEqual(['kibana-system-password']);
    expect(password.depends_on).toEqual({ elasticsearch: expect.objectContaining({ condition: 'service_healthy' }) });
    expect(password.environment.KIBANA_SYSTEM_PASSWORD).toBe('change-me-kibana-system');
    expect(kibana.depends_on).toEqual({ 'kibana-password': expect.objectContaining({ condition: 'service_completed_successfully' }) });
    expect(kibana.environment).toMatchObject({ ELASTICSEARCH_USERNAME: 'kibana_system', ELASTICSEARCH_PASSWORD: 'change-me-kibana-system' });
    expect(kibana.healthcheck.test).toBeDefined();
    expect(setup.command).toEqual(['all']);
    expect(setup.depends_on).toEqual({
      elasticsearch: expect.objectContaining({ condition: 'service_healthy' }),
      kibana: expect.objectContaining({ condition: 'service_healthy' }),
    });
    expect(setup.environment).toMatchObject({ KIBANA_URL: 'http://kibana:5601', LOOKOUT_SAVED_OBJECTS: '/saved-objects/kibana.ndjson', ELASTICSEARCH_USERNAME: 'elastic' });
    expect(setup.volumes[0]).toMatchObject({ type: 'bind', target: '/saved-objects', read_only: true });
    expect(setup.volumes[0].source).toMatch(/dashboards\/generated$/);
    for (const job of [password, setup]) {
      expect(job.build.dockerfile).toBe('deploy/docker/setup-elk.Dockerfile');
      expect(job.restart).toBe('no');
    }
  });

  it('keeps every secret out of the compose file and the real .env out of git', async () => {
    const text = await readFile(COMPOSE_FILE, 'utf8');
    expect(text).not.toMatch(/change-me/);
    const referenced = new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1]));
    const example = await readFile(ENV_EXAMPLE, 'utf8');
    const defined = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]));
    expect([...referenced].filter((name) => !defined.has(name))).toEqual([]);
    expect(await readFile(join(ELK, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });

  it('fails with an env file that lacks the passwords, naming each required variable', async () => {
    const empty = join(directory, 'empty.env');
    await writeFile(empty, '# nothing set\n');
    const loaded = await load(COMPOSE_FILE, [empty]);
    expect(loaded.exitCode).toBe(1);
    expect(loaded.stderr).toContain('required variable ELASTIC_PASSWORD is missing a value: set ELASTIC_PASSWORD in .env');
    expect(loaded.stderr).toContain('required variable KIBANA_ENCRYPTION_KEY is missing a value');
  });

  it('rejects a compose file that breaks the compose specification (the validation is real)', async () => {
    const broken = join(directory, 'docker-compose.yml');
    const text = (await readFile(COMPOSE_FILE, 'utf8')).replace('    healthcheck:\n      # Yellow', '    healthchek:\n      # Yellow');
    await writeFile(broken, text);
    const loaded = await load(broken, [ENV_EXAMPLE]);
    expect(loaded.exitCode).toBe(1);
    expect(loaded.stderr).toMatch(/services\.elasticsearch.*healthchek/);
  });
});
