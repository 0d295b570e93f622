import { requestEventSchema } from '@lookout/telemetry';
import { describeEsError } from './elasticsearch-error.ts';
import type { FailureReason } from './telemetry-counters.ts';

/** `filter_path` of bulk requests: only what the sink reads, so a 1000-item answer stays ~25 KB. */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error';

/** One document Elasticsearch refused for good: it breaks the event contract. */
export interface RejectedDocument {
  readonly index: number;
  readonly status: number;
  /** What Elasticsearch said. */
  readonly reason: string;
  /** Why the document breaks the contract (from the contract's schema). */
  readonly problems: readonly string[];
}

/** What became of each document of a bulk request. */
export interface BulkOutcome {
  /** Created, or 409 (created earlier: a replay or retry). */
  delivered: number;
  readonly rejected: RejectedDocument[];
  /** Pairs to keep and try again later (spool), ascending. */
  readonly retry: number[];
  /** Why the first of `retry` failed. */
  retryReason: FailureReason | undefined;
  retryDetail: string;
}

type BulkItem = { readonly status?: number; readonly error?: unknown };

/** The failure reason of a non-2xx answer to a whole request. */
export function requestFailureReason(status: number): FailureReason {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'throttled';
  if (status === 404) return 'setup';
  return 'server';
}

/**
 * Sorts the items of a bulk answer. Item statuses: 2xx and 409 are delivered; 429 and 5xx are
 * retried; 401/403 (privileges) and 404 (write alias or data stream missing) are retried; any
 * other 4xx (mapping and parsing errors) is checked against the event contract: a document that
 * breaks it is rejected for good (retrying cannot help), while a valid one means the index's
 * mapping is wrong (a mapping conflict), which the operator can fix, so it is kept.
 *
 * @param documentAt the document line of pair `i` (read only for refused items)
 */
export function sortBulkItems(items: readonly Record<string, BulkItem>[], documentAt: (index: number) => string): BulkOutcome {
  const outcome: BulkOutcome = { delivered: 0, rejected: [], retry: [], retryReason: undefined, retryDetail: '' };
  for (let i = 0; i < items.length; i++) {
    const entry = items[i]!;
    const item = entry.create ?? entry.index ?? Object.values(entry)[0] ?? {};
    const status = item.status ?? 500;
    if ((status >= 200 && status < 300) || status === 409) {
      outcome.delivered++;
      continue;
    }
    let reason: FailureReason;
    if (status === 429) reason = 'throttled';
    else if (status >= 500) reason = 'server';
    else if (status === 401 || status === 403) reason = 'auth';
    else if (status === 404) reason = 'setup';
    else {
      const problems = contractProblems(documentAt(i));
      if (problems.length > 0) {
        outcome.rejected.push({ index: i, status, reason: describeEsError(item.error), problems });
        continue;
      }
      reason = 'mapping';
    }
    if (outcome.retryReason === undefined) {
      outcome.retryReason = reason;
      outcome.retryDetail = `${status} ${describeEsError(item.error)}`;
    }
    outcome.retry.push(i);
  }
  return outcome;
}

/** `path: problem` lines of a document against the contract; empty when it satisfies it. */
export function contractProblems(documentText: string): string[] {
  let document: unknown;
  try {
    document = JSON.parse(documentText);
  } catch (error) {
    return [`(document): not JSON: ${(error as Error).message}`];
  }
  const result = requestEventSchema.safeParse(document);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(event)'}: ${issue.message}`);
}
