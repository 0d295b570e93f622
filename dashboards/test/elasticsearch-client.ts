import { inject } from 'vitest';

/** The suite's Elasticsearch URL (scripts/test/elasticsearch-global-setup.ts); in CI a missing one fails. */
export function testElasticsearchUrl(): string {
  const url = inject('elasticsearchUrl');
  if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);
  return url;
}

/** A small REST client over fetch for the dashboards' integration tests. */
export class ElasticsearchClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any }> {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Like {@link request}, failing with the response when the status is not 2xx. */
  async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
    const { status, json } = await this.request(method, path, body, contentType);
    if (status < 200 || status > 299) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json).slice(0, 2000)}`);
    return json;
  }

  /** Indexes documents and waits until they are searchable; fails on any item error. */
  async bulkIndex(index: string, documents: readonly object[]): Promise<void> {
    if (documents.length === 0) return;
    const lines = documents.flatMap((document) => [JSON.stringify({ create: { _index: index } }), JSON.stringify(document)]);
    const result = await this.ok('POST', '/_bulk?refresh=true', lines.join('\n') + '\n', 'application/x-ndjson');
    if (result.errors) throw new Error(`bulk into ${index}: ${JSON.stringify(result.items.find((item: any) => item.create?.error)).slice(0, 2000)}`);
  }
}
