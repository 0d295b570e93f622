import type { RequestLedger } from '../load/request-ledger.ts';

/** Requests the client saw against the event documents in Elasticsearch, by request id. */
export interface EventAudit {
  /** Requests the proxy certainly handled (the client got response headers): each must have one event. */
  readonly expected: number;
  /** Distinct request ids of the ledger found in Elasticsearch. */
  readonly stored: number;
  /** Expected ids with no document. */
  readonly lost: number;
  /** Ids with more than one document. */
  readonly duplicated: number;
  /** Stored ids the client got no response for (the proxy saw them; not counted as lost either way). */
  readonly storedWithoutResponse: number;
  /** A few lost ids, for the report. */
  readonly lostSample: readonly string[];
}

const PAGE = 10_000;

/**
 * Reads every `http.request.id` with the ledger's prefix from `index` (composite aggregation,
 * after a refresh) and compares with the ledger.
 */
export async function auditEvents(esUrl: string, index: string, ledger: RequestLedger): Promise<EventAudit> {
  const post = async (path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${esUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`HARDENING_AUDIT_FAILED: POST ${esUrl}${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  await post(`/${index}/_refresh`);
  const counts = new Uint16Array(ledger.count);
  let after: Record<string, string> | undefined;
  for (;;) {
    const body = await post(`/${index}/_search`, {
      size: 0,
      track_total_hits: false,
      query: { prefix: { 'http.request.id': `${ledger.prefix}-` } },
      aggs: { ids: { composite: { size: PAGE, sources: [{ id: { terms: { field: 'http.request.id' } } }], ...(after ? { after } : {}) } } },
    });
    const buckets = body.aggregations.ids.buckets as { key: { id: string }; doc_count: number }[];
    for (const bucket of buckets) {
      const seq = ledger.seqOf(bucket.key.id);
      if (seq >= 0) counts[seq] = Math.min(65_535, (counts[seq] ?? 0) + bucket.doc_count);
    }
    if (buckets.length < PAGE || body.aggregations.ids.after_key === undefined) break;
    after = body.aggregations.ids.after_key as Record<string, string>;
  }
  let expected = 0;
  let stored = 0;
  let lost = 0;
  let duplicated = 0;
  let storedWithoutResponse = 0;
  const lostSample: string[] = [];
  for (let seq = 0; seq < ledger.count; seq++) {
    const count = counts[seq] ?? 0;
    if (count > 0) stored++;
    if (count > 1) duplicated++;
    if (ledger.answered(seq)) {
      expected++;
      if (count === 0) {
        lost++;
        if (lostSample.length < 10) lostSample.push(ledger.idOf(seq));
      }
    } else if (count > 0) storedWithoutResponse++;
  }
  return { expected, stored, lost, duplicated, storedWithoutResponse, lostSample };
}
