import { Client, errors } from '@elastic/elasticsearch';
import { REQUEST_EVENTS_TARGET, type TerminationCode } from '@lookout/telemetry';
import { CalibrateError } from './calibrate-error.ts';
import { blankRunEvent, type EventRange, type RunEvent, type RunEventReader } from './run-event.ts';

/** Events per search page. */
const PAGE_SIZE = 5_000;

const SOURCE_FIELDS = [
  '@timestamp',
  'event.duration',
  'http.response.status_code',
  'lookout.termination',
  'lookout.probe',
  'service.target.name',
  'url.domain',
  'url.path',
  'lookout.timing.connect_ms',
  'lookout.timing.upstream_last_byte_ms',
];

interface Source {
  '@timestamp': string;
  event: { duration: number };
  http: { response: { status_code: number } };
  lookout: { termination: string; probe: boolean; timing?: { connect_ms?: number; upstream_last_byte_ms?: number } };
  service?: { target?: { name: string } };
  url: { domain: string; path: string };
}

/** The URL without credentials, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * Reads events from Elasticsearch (the proxy's `lookout-requests` alias by default), page by
 * page in `@timestamp`, `event.id` order with `search_after`: no scroll context to clean up, and
 * nothing but core features (the CI cluster has no x-pack).
 */
export class ElasticsearchEventReader implements RunEventReader {
  readonly location: string;
  readonly #client: Client;
  readonly #index: string;

  constructor(node: string, index: string = REQUEST_EVENTS_TARGET) {
    this.location = `${redacted(node)} index ${index}`;
    this.#index = index;
    this.#client = new Client({ node, requestTimeout: 30_000, maxRetries: 1 });
  }

  async count(range: EventRange): Promise<number> {
    const response = await this.#call(() => this.#client.count({ index: this.#index, query: rangeQuery(range) }));
    return response.count;
  }

  async read(range: EventRange, onEvent: (event: RunEvent) => void): Promise<void> {
    const event = blankRunEvent();
    let after: (string | number)[] | undefined;
    for (;;) {
      const page = await this.#call(() =>
        this.#client.search<Source>({
          index: this.#index,
          size: PAGE_SIZE,
          query: rangeQuery(range),
          sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
          _source: SOURCE_FIELDS,
          track_total_hits: false,
          ...(after === undefined ? {} : { search_after: after }),
        }),
      );
      const hits = page.hits.hits;
      for (const hit of hits) {
        const source = hit._source;
        if (source === undefined) continue;
        event.ts = Date.parse(source['@timestamp']);
        event.durationNs = source.event.duration;
        event.status = source.http.response.status_code;
        event.termination = source.lookout.termination as TerminationCode;
        event.probe = source.lookout.probe;
        event.service = source.service?.target?.name ?? null;
        event.domain = source.url.domain;
        event.path = source.url.path;
        event.connectMs = source.lookout.timing?.connect_ms ?? null;
        event.upstreamLastByteMs = source.lookout.timing?.upstream_last_byte_ms ?? null;
        onEvent(event);
      }
      if (hits.length < PAGE_SIZE) return;
      after = hits[hits.length - 1]?.sort as (string | number)[];
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof errors.ResponseError) {
        if (error.statusCode === 404) {
          throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${this.location}: no such index or alias (pass --index with the proxy's telemetry.elasticsearch.index)`, { cause: error });
        }
        throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${this.location}: query failed with ${error.statusCode ?? '?'}: ${error.message}`, { cause: error });
      }
      throw new CalibrateError('CALIBRATE_EVENTS_UNREACHABLE', `events ${this.location}: cannot reach Elasticsearch (${(error as Error).message})`, { cause: error });
    }
  }
}

function rangeQuery(range: EventRange): object {
  return { range: { '@timestamp': { gte: range.from, lt: range.to, format: 'epoch_millis' } } };
}
