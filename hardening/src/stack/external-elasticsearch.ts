import type { OwnElasticsearch } from './own-elasticsearch.ts';

/**
 * An Elasticsearch someone else runs (the test suite's shared one): usable for telemetry,
 * never killed, restarted or stopped from here; scenarios that kill it refuse to run on it.
 */
export function externalElasticsearch(url: string): OwnElasticsearch {
  const refuse = (what: string) => async (): Promise<void> => {
    throw new Error(`HARDENING_ES_SHARED: will not ${what} the shared Elasticsearch at ${url}; run this scenario on an instance of its own (--es-port)`);
  };
  return { url, port: Number(new URL(url).port), runDir: '', kill: refuse('kill'), restart: refuse('restart'), stop: async () => undefined };
}
