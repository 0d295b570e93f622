import { describe, expect, it } from 'vitest';
import { and, conditionFields, equals, not, oneOf, range, toLucene } from './condition.ts';
import { luceneFields } from './field-usage.ts';

describe('toLucene', () => {
  it('writes ranges as inclusive-exclusive, strings quoted, booleans bare', () => {
    expect(toLucene(range<'requests'>('http.response.status_code', 500, 600))).toBe('http.response.status_code:[500 TO 600}');
    expect(toLucene(equals<'requests'>('event.outcome', 'failure'))).toBe('event.outcome:"failure"');
    expect(toLucene(not(equals<'requests'>('lookout.probe', true)))).toBe('NOT (lookout.probe:true)');
    expect(toLucene(oneOf<'requests'>('lookout.termination', ['ok', 'local']))).toBe('lookout.termination:("ok" OR "local")');
  });

  it('escapes the @ of @timestamp nowhere and joins conjunctions with AND', () => {
    const condition = and<'requests'>(not(equals('lookout.probe', true)), equals('url.domain', 'a:b'));
    expect(toLucene(condition)).toBe('(NOT (lookout.probe:true)) AND (url.domain:"a:b")');
  });

  it('lists the fields a condition reads, and the Lucene text gives them back', () => {
    const condition = and<'requests'>(not(equals('lookout.probe', true)), range('http.response.status_code', 200, 300));
    expect(conditionFields(condition)).toEqual(['lookout.probe', 'http.response.status_code']);
    expect(luceneFields(toLucene(condition))).toEqual(['lookout.probe', 'http.response.status_code']);
  });
});
