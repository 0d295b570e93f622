import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSetupElk } from './run-setup-elk.ts';

/*
 * The Kibana step against a real HTTP server standing in for Kibana (Kibana cannot run here):
 * it records every request, parses the multipart body with the platform's own parser, and
 * answers as Kibana 8 does.
 */

interface ReceivedImport {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly fileName: string | undefined;
  readonly fileType: string | undefined;
  readonly fileContent: string | undefined;
  readonly fieldNames: string[];
}

const SAVED_OBJECTS = [
  { type: 'index-pattern', id: 'lookout-requests', attributes: { title: 'lookout-requests*', timeFieldName: '@timestamp' }, references: [] },
  { type: 'dashboard', id: 'lookout-traffic', attributes: { title: 'lookout traffic' }, references: [] },
];
const NDJSON = `${SAVED_OBJECTS.map((object) => JSON.stringify(object)).join('\n')}\n${JSON.stringify({ exportedCount: 2, missingRefCount: 0 })}\n`;

let kibana: Server;
let kibanaUrl: string;
let directory: string;
let savedObjectsPath: string;
let statusCalls = 0;
let statusLevels: string[] = [];
let importAnswer: { status: number; body: unknown } = { status: 200, body: {} };
const imports: ReceivedImport[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'setup-elk-kibana-'));
  savedObjectsPath = join(directory, 'kibana.ndjson');
  await writeFile(savedObjectsPath, NDJSON);
  kibana = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const send = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (request.method === 'GET' && request.url === '/api/status') {
      statusCalls++;
      const level = statusLevels.shift() ?? 'available';
      send(level === 'available' ? 200 : 503, { status: { overall: { level } } });
      return;
    }
    if (request.url?.includes('/api/saved_objects/_import')) {
      let fileName: string | undefined;
      let fileType: string | undefined;
      let fileContent: string | undefined;
      let fieldNames: string[] = [];
      try {
        const form = await new Request('http://kibana.test/', {
          method: 'POST',
          headers: { 'content-type': request.headers['content-type'] ?? '' },
          body,
        }).formData();
        fieldNames = [...form.keys()];
        const file = form.get('file');
        if (file instanceof File) {
          fileName = file.name;
          fileType = file.type;
          fileContent = await file.text();
        }
      } catch {
        // not multipart: recorded as such
      }
      imports.push({ method: request.method ?? '', url: request.url, headers: request.headers, fileName, fileType, fileContent, fieldNames });
      send(importAnswer.status, importAnswer.body);
      return;
    }
    send(404, { statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url}` });
  });
  await new Promise<void>((resolve) => kibana.listen(0, '127.0.0.1', resolve));
  kibanaUrl = `http://127.0.0.1:${(kibana.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => kibana.close(() => resolve()));
  await rm(directory, { recursive: true, force: true });
});

beforeEach(() => {
  imports.length = 0;
  statusCalls = 0;
  statusLevels = [];
  importAnswer = { status: 200, body: { success: true, successCount: 2, successResults: [] } };
});

describe('setup-elk kibana', () => {
  it('waits for Kibana, then posts the file as multipart with kbn-xsrf and basic auth to the space', async () => {
    statusLevels = ['unavailable', 'degraded'];
    const run = await runSetupElk(['kibana', '--kibana-url', kibanaUrl, '--kibana-space', 'ops', '--saved-objects', savedObjectsPath, '--wait', '30'], {
      KIBANA_USERNAME: 'elastic',
      KIBANA_PASSWORD: 's3cret',
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(statusCalls).toBe(3);
    expect(run.stdout).toContain('kibana not available yet: status 503, level unavailable');
    expect(run.stdout).toContain(`kibana saved objects ${savedObjectsPath} (2 objects, space ops): imported 2`);
    expect(imports).toHaveLength(1);
    const received = imports[0]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/s/ops/api/saved_objects/_import?overwrite=true');
    expect(received.headers['kbn-xsrf']).toBe('true');
    expect(received.headers.authorization).toBe(`Basic ${Buffer.from('elastic:s3cret').toString('base64')}`);
    expect(received.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(received.fieldNames).toEqual(['file']);
    expect(received.fileName).toBe('kibana.ndjson');
    expect(received.fileType).toBe('application/ndjson');
    expect(received.fileContent).toBe(NDJSON);
  });

  it('uses the default space path and the Elasticsearch API key when Kibana has no credentials of its own', async () => {
    const run = await runSetupElk(['kibana', '--kibana-url', kibanaUrl, '--saved-objects', savedObjectsPath], { ELASTICSEARCH_API_KEY: 'a2V5OnNlY3JldA==' });
    expect(run.exitCode).toBe(0);
    expect(imports[0]?.url).toBe('/api/saved_objects/_import?overwrite=true');
    expect(imports[0]?.headers.authorization).toBe('ApiKey a2V5OnNlY3JldA==');
  });

  it('fails with LOOKOUT_SETUP_KIBANA_IMPORT_FAILED naming the objects Kibana refused', async () => {
    importAnswer = {
      status: 200,
      body: {
        success: false,
        successCount: 1,
        errors: [{ id: 'lookout-traffic', type: 'dashboard', error: { type: 'missing_references', message: 'index-pattern [x] not found' } }],
      },
    };
    const run = await runSetupElk(['kibana', '--kibana-url', kibanaUrl, '--saved-objects', savedObjectsPath]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `error LOOKOUT_SETUP_KIBANA_IMPORT_FAILED: Kibana did not import the saved objects: ${savedObjectsPath}: 1 of 2 imported; refused dashboard/lookout-traffic: missing_references (index-pattern [x] not found)`,
    );
  });

  it('fails with LOOKOUT_SETUP_KIBANA_UNAUTHORIZED when Kibana refuses the credentials', async () => {
    importAnswer = { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: '[security_exception] unable to authenticate user [elastic]' } };
    const run = await runSetupElk(['kibana', '--kibana-url', kibanaUrl, '--saved-objects', savedObjectsPath], { KIBANA_USERNAME: 'elastic', KIBANA_PASSWORD: 'nope' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('error LOOKOUT_SETUP_KIBANA_UNAUTHORIZED: Kibana refused the credentials or their privileges: POST /api/saved_objects/_import?overwrite=true: 401 [security_exception]');
  });

  it('sends nothing when the saved objects file is missing or not NDJSON', async () => {
    const missing = await runSetupElk(['kibana', '--kibana-url', kibanaUrl, '--saved-objects', join(directory, 'absent.ndjson')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`error LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE: the saved objects file cannot be used: ${join(directory, 'absent.ndjson')}: ENOENT`);
    const broken = join(directory, 'broken.ndjson');
    await writeFile(broken, `${JSON.stringify(SAVED_OBJECTS[0])}\n{"type": "dashboard",\n`);
    const notJson = await runSetupElk(['kibana', '--kibana-url', kibanaUrl, '--saved-objects', broken]);
    expect(notJson.exitCode).toBe(1);
    expect(notJson.stderr).toContain(`error LOOKOUT_SETUP_SAVED_OBJECTS_UNREADABLE: the saved objects file cannot be used: ${broken}:2: not JSON`);
    expect(imports).toHaveLength(0);
    expect(statusCalls).toBe(0);
  });
});
