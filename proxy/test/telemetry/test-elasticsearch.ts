import { afterAll, inject } from 'vitest';
import { testIndex } from './test-events.ts';

/** The suite's Elasticsearch (see scripts/test/elasticsearch-global-setup.ts): URL, or why there is none. */
export function testElasticsearch(): { url: string; problem: string } {
  const url = inject('elasticsearchUrl');
  const problem = inject('elasticsearchProblem');
  if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${problem}`);
  return { url, problem };
}

/** A small REST client for assertions (fetch; the test process has no memory budget). */
export class EsTestClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async count(index: string): Promise<number> {
    await this.request('POST', `/${index}/_refresh`);
    const { status, json } = await this.request('GET', `/${index}/_count`);
    if (status === 404) return 0;
    if (status !== 200) throw new Error(`count ${index}: ${status} ${JSON.stringify(json)}`);
    return json.count as number;
  }

  /** Every `event.id` in `index`, sorted (search_after over the keyword field). */
  async ids(index: string): Promise<string[]> {
    await this.request('POST', `/${index}/_refresh`);
    const ids: string[] = [];
    let after: unknown[] | undefined;
    for (let page = 0; page < 1000; page++) {
      const { status, json } = await this.request('POST', `/${index}/_search`, {
        size: 10_000,
        _source: false,
        docvalue_fields: ['event.id'],
        sort: [{ 'event.id': 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      if (status !== 200) throw new Error(`search ${index}: ${status} ${JSON.stringify(json)}`);
      const hits = json.hits.hits as { _id: string; sort: unknown[] }[];
      if (hits.length === 0) break;
      for (const hit of hits) ids.push(hit._id);
      after = hits[hits.length - 1]!.sort;
    }
    return ids.sort();
  }

  /** Polls until `index` holds `expected` documents (or the time is up); returns the last count. */
  async waitForCount(index: string, expected: number, timeoutMs = 60_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    let count = -1;
    while (Date.now() < until) {
      count = await this.count(index);
      if (count >= expected) return count;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return count;
  }

  /** Removes the indices and the template of a test target. */
  async remove(index: string): Promise<void> {
    await this.request('DELETE', `/${index}-*`);
    await this.request('DELETE', `/${index}`);
    await this.request('DELETE', `/_index_template/${index}`);
  }
}

/** A maker of unique test indices, each removed after the calling file's tests. */
export function indicesRemovedAfterAll(es: EsTestClient): () => string {
  const indices: string[] = [];
  afterAll(async () => {
    for (const index of indices) await es.remove(index);
  });
  return () => {
    const index = testIndex();
    indices.push(index);
    return index;
  };
}
