import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REQUEST_EVENT_SCHEMA_VERSION } from '../../../telemetry/src/index.ts';
import { runSetupElk } from './run-setup-elk.ts';

/*
 * The setup against the suite's real Elasticsearch (core modules only: no ILM, data streams,
 * wildcard or constant_keyword), as a real process. Every run uses a prefix of its own, removed
 * afterwards, so that it never touches the indices other tests or a developer use.
 */

const url = inject('elasticsearchUrl');
const problem = inject('elasticsearchProblem');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${problem}`);

const prefixes: string[] = [];
function newPrefix(): string {
  const prefix = `setup-elk-test-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
}

async function es(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Everything the setup may create for `prefix`, with creation dates and uuids, to compare runs. */
async function clusterState(prefix: string) {
  const templates = await es('GET', `/_index_template/${prefix}-*`);
  const indices = await es('GET', `/${prefix}-*?filter_path=*.aliases,*.mappings,*.settings.index.uuid,*.settings.index.creation_date,*.settings.index.number_of_replicas`);
  return { templates: templates.json, indices: indices.json };
}

afterAll(async () => {
  if (!url) return;
  for (const prefix of prefixes) {
    await es('DELETE', `/${prefix}-*`);
    await es('DELETE', `/_index_template/${prefix}-*`);
  }
});

describe.skipIf(!url)('setup-elk against the test Elasticsearch', () => {
  it('installs the portable templates, write aliases and SLO indices, and a second run changes nothing', async () => {
    const prefix = newPrefix();
    const first = await runSetupElk(['indices', '--es-url', url, '--prefix', prefix, '--wait', '30']);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('portable variant');
    expect(first.stdout).toContain(`index template ${prefix}-requests: created`);
    expect(first.stdout).toContain(`write alias ${prefix}-requests (first index ${prefix}-requests-000001): created`);
    expect(first.stdout).toMatch(/done in [\d.]+s: 6 change\(s\)/);

    const templates = (await es('GET', `/_index_template/${prefix}-*`)).json.index_templates as { name: string; index_template: any }[];
    const byName = new Map(templates.map((entry) => [entry.name, entry.index_template]));
    expect([...byName.keys()].sort()).toEqual([`${prefix}-requests`, `${prefix}-slo-status`, `${prefix}-slo-transitions`]);
    const requests = byName.get(`${prefix}-requests`);
    expect(requests.index_patterns).toEqual([`${prefix}-requests-*`]);
    expect(requests.data_stream).toBeUndefined();
    expect(requests._meta).toMatchObject({ managed_by: 'lookout', variant: 'portable', schema_version: REQUEST_EVENT_SCHEMA_VERSION });
    expect(requests._meta.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(requests.template.mappings.dynamic).toBe('strict');
    expect(requests.template.mappings.properties.url.properties.original.type).toBe('keyword');
    expect(requests.template.settings.index.number_of_replicas).toBe('0');

    const aliases = (await es('GET', `/_alias/${prefix}-requests,${prefix}-slo-status`)).json;
    expect(aliases).toEqual({
      [`${prefix}-requests-000001`]: { aliases: { [`${prefix}-requests`]: { is_write_index: true } } },
      [`${prefix}-slo-status-000001`]: { aliases: { [`${prefix}-slo-status`]: { is_write_index: true } } },
    });
    const transitions = await es('GET', `/${prefix}-slo-transitions/_mapping`);
    expect(transitions.status).toBe(200);
    expect(transitions.json[`${prefix}-slo-transitions`].mappings.properties.slo.properties.transition.properties.to.type).toBe('keyword');
    // An event of the contract goes in through the alias; a field outside it is refused.
    const written = await es('POST', `/${prefix}-requests/_doc?refresh=true`, { '@timestamp': new Date().toISOString(), url: { original: '/a' } });
    expect(written.status).toBe(201);
    expect(written.json._index).toBe(`${prefix}-requests-000001`);
    expect((await es('POST', `/${prefix}-requests/_doc`, { unknown_field: 1 })).status).toBe(400);

    const before = await clusterState(prefix);
    const second = await runSetupElk(['indices', '--es-url', url, '--prefix', prefix]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toMatch(/done in [\d.]+s: 0 change\(s\), 7 unchanged/);
    expect(second.stdout).not.toMatch(/: (created|updated)$/m);
    expect(await clusterState(prefix)).toEqual(before);
  });

  it('applies a changed template and its mappings to the existing write index, then is idempotent again', async () => {
    const prefix = newPrefix();
    expect((await runSetupElk(['indices', '--es-url', url, '--prefix', prefix])).exitCode).toBe(0);
    const changed = await runSetupElk(['indices', '--es-url', url, '--prefix', prefix, '--replicas', '1']);
    expect(changed.exitCode).toBe(0);
    expect(changed.stdout).toContain(`index template ${prefix}-requests: updated`);
    expect(changed.stdout).toContain(`mappings of the write index of ${prefix}-requests: updated`);
    expect(changed.stdout).toContain(`write alias ${prefix}-requests (first index ${prefix}-requests-000001): exists`);
    const template = (await es('GET', `/_index_template/${prefix}-requests`)).json.index_templates[0].index_template;
    expect(template.template.settings.index.number_of_replicas).toBe('1');
    const again = await runSetupElk(['indices', '--es-url', url, '--prefix', prefix, '--replicas', '1']);
    expect(again.stdout).toMatch(/0 change\(s\)/);
  });

  it('refuses a forced production variant on a cluster without data streams and ILM', async () => {
    const prefix = newPrefix();
    const run = await runSetupElk(['indices', '--es-url', url, '--prefix', prefix, '--variant', 'production']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/error LOOKOUT_SETUP_ES_UNSUPPORTED: .*lacks data-streams, x-pack-ilm/);
    expect((await es('GET', `/_index_template/${prefix}-*`)).json.index_templates).toEqual([]);
  });

  it('stops with LOOKOUT_SETUP_INDEX_CONFLICT when a write auto-created the alias name as an index', async () => {
    const prefix = newPrefix();
    expect((await es('POST', `/${prefix}-requests/_doc`, { early: true })).status).toBe(201);
    const run = await runSetupElk(['indices', '--es-url', url, '--prefix', prefix]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`error LOOKOUT_SETUP_INDEX_CONFLICT: an existing index or alias is in the way: ${prefix}-requests already exists as ${prefix}-requests`);
  });
});

describe('setup-elk failures', () => {
  let refusing: Server;
  let refusingUrl: string;
  const seen: { authorization?: string }[] = [];

  beforeAll(async () => {
    // Answers as Elasticsearch with security on does to wrong credentials.
    refusing = createServer((request, response) => {
      seen.push({ authorization: request.headers.authorization });
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="security"' });
      response.end(JSON.stringify({
        error: { type: 'security_exception', reason: 'unable to authenticate user [elastic] for REST request [/_cluster/health]' },
        status: 401,
      }));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

  it('exits 1 naming LOOKOUT_SETUP_ES_UNREACHABLE when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await runSetupElk(['--es-url', `http://127.0.0.1:${port}`, '--wait', '2']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`error LOOKOUT_SETUP_ES_UNREACHABLE: Elasticsearch cannot be reached: GET http://127.0.0.1:${port}/_cluster/health.*ECONNREFUSED`));
    expect(run.stdout).toContain('elasticsearch not ready yet');
  });

  it('exits 1 naming LOOKOUT_SETUP_ES_UNAUTHORIZED at once when the credentials are refused', async () => {
    const started = Date.now();
    const run = await runSetupElk(['--es-url', refusingUrl, '--es-username', 'elastic', '--wait', '30'], { ELASTICSEARCH_PASSWORD: 'wrong' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('error LOOKOUT_SETUP_ES_UNAUTHORIZED: Elasticsearch refused the credentials or their privileges: GET /_cluster/health');
    expect(run.stderr).toContain('security_exception: unable to authenticate user [elastic]');
    expect(run.stderr).not.toContain('wrong');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('elastic:wrong').toString('base64')}`);
  });

  it('exits 2 with the usage on a bad option', async () => {
    const run = await runSetupElk(['--variant', 'fancy']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error LOOKOUT_SETUP_BAD_OPTION: invalid option: --variant / LOOKOUT_TEMPLATE_VARIANT "fancy": expected auto, production or portable');
    expect(run.stderr).toContain('usage: setup-elk');
  });
});
