import { exampleRequestEvent } from '@lookout/telemetry';
import { describe, expect, test } from 'vitest';
import { bulkPair, pairBounds, pairDocument, pairId, selectPairs } from './bulk-body.ts';
import { requestFailureReason, sortBulkItems } from './bulk-response.ts';

function body(count: number, breakAt: number[] = []): Buffer {
  let text = '';
  for (let i = 0; i < count; i++) {
    const event = exampleRequestEvent();
    event.event.id = `019aab4c-7e0b-7a1c-8d2e-${String(i).padStart(12, '0')}`;
    if (breakAt.includes(i)) (event.http.response as { status_code: unknown }).status_code = 'teapot';
    text += bulkPair(event);
  }
  return Buffer.from(text);
}

describe('bulk bodies', () => {
  test('finds every pair, its id and document, and selects a subset', () => {
    const data = body(3);
    const { bounds, invalidAt } = pairBounds(data);
    expect(invalidAt).toBeUndefined();
    expect(bounds).toHaveLength(4);
    expect(pairId(data, bounds, 1)).toBe('019aab4c-7e0b-7a1c-8d2e-000000000001');
    expect(JSON.parse(pairDocument(data, bounds, 2)).event.id).toBe('019aab4c-7e0b-7a1c-8d2e-000000000002');
    const picked = selectPairs(data, bounds, [0, 2]);
    expect(pairBounds(picked).bounds).toHaveLength(3);
  });

  test('stops at a torn last pair, as a crash mid-write leaves it', () => {
    const data = body(2);
    const torn = data.subarray(0, data.length - 10);
    const { bounds, invalidAt } = pairBounds(torn);
    expect(bounds).toHaveLength(2);
    expect(invalidAt).toBe(bounds[1]);
  });
});

describe('sorting bulk answers', () => {
  const data = body(6, [4]);
  const { bounds } = pairBounds(data);
  const documentAt = (i: number): string => pairDocument(data, bounds, i);
  const error = (type: string) => ({ type, reason: `${type} reason` });

  test('counts created and 409 as delivered, drops contract breakers, keeps the rest for retry', () => {
    const outcome = sortBulkItems(
      [
        { create: { status: 201 } },
        { create: { status: 409, error: error('version_conflict_engine_exception') } },
        { create: { status: 429, error: error('es_rejected_execution_exception') } },
        { create: { status: 400, error: error('document_parsing_exception') } }, // valid document: mapping conflict
        { create: { status: 400, error: error('document_parsing_exception') } }, // breaks the contract
        { create: { status: 503, error: error('unavailable_shards_exception') } },
      ],
      documentAt,
    );
    expect(outcome.delivered).toBe(2);
    expect(outcome.retry).toEqual([2, 3, 5]);
    expect(outcome.retryReason).toBe('throttled');
    expect(outcome.retryDetail).toBe('429 es_rejected_execution_exception: es_rejected_execution_exception reason');
    expect(outcome.rejected).toEqual([
      { index: 4, status: 400, reason: 'document_parsing_exception: document_parsing_exception reason', problems: [expect.stringMatching(/^http\.response\.status_code: /)] },
    ]);
  });

  test('names a whole-request failure by status', () => {
    expect([401, 403, 404, 429, 500, 502, 413].map(requestFailureReason)).toEqual(['auth', 'auth', 'setup', 'throttled', 'server', 'server', 'server']);
  });
});
