import { describe, expect, it } from 'vitest';
import { exampleRequestEvent, TERMINATION_CODES, type RequestEvent, type TerminationCode } from '@lookout/telemetry';
import type { BudgetSlo, ThresholdSlo } from '../model/slo.ts';
import { budgetLevel, countGoodTotal, evaluateEvents, isAvailable, percentile, thresholdSli, type SliEvent } from './level.ts';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sliEvent(fields: { durationNs: number; status?: number; termination?: TerminationCode; probe?: boolean; service?: string; domain?: string; path?: string }): SliEvent {
  return {
    event: { duration: fields.durationNs },
    http: { response: { status_code: fields.status ?? 200 } },
    lookout: { termination: fields.termination ?? 'ok', probe: fields.probe ?? false },
    service: fields.service === undefined ? {} : { target: { name: fields.service } },
    url: { domain: fields.domain ?? 'api.example.test', path: fields.path ?? '/v1/items' },
  };
}

function generate(count: number, seed: number): SliEvent[] {
  const next = random(seed);
  const events: SliEvent[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    // Around the threshold often, and exactly on it now and then.
    const durationNs = roll < 0.05 ? 137_000_000 : roll < 0.1 ? 137_000_001 : Math.floor(next() * 300_000_000);
    events.push(
      sliEvent({
        durationNs,
        status: next() < 0.05 ? 503 : 200,
        probe: next() < 0.1,
        service: next() < 0.8 ? 'api' : 'other',
        path: next() < 0.7 ? '/v1/items' : '/admin',
      }),
    );
  }
  return events;
}

const latencySlo: BudgetSlo = {
  kind: 'budget',
  name: 'api-latency',
  filter: { service: 'api', pathPrefix: '/v1' },
  indicator: { type: 'latency', thresholdMs: 137 },
  objective: 0.9,
  windowMs: 30 * 86_400_000,
  states: { green: 0.6, orange: 0.8, red: 1 },
  holdMs: 300_000,
  owners: { sli: [], slo: [] },
  minTraffic: 10,
};

describe('SLI level maths', () => {
  it('equals a brute-force count over generated events for a 137 ms latency threshold', () => {
    for (const seed of [1, 2, 3, 42]) {
      const events = generate(5_000, seed);
      const counted = events.filter((e) => !e.lookout.probe && e.service.target?.name === 'api' && e.url.path.startsWith('/v1'));
      const good = counted.filter((e) => e.event.duration <= 137 * 1e6).length;
      const expected = (counted.length - good) / counted.length / (1 - 0.9);
      expect(countGoodTotal(latencySlo.indicator, latencySlo.filter, events)).toEqual({ good, total: counted.length });
      expect(evaluateEvents(latencySlo, events)).toEqual({ level: expected, total: counted.length });
    }
  });

  it('counts a request of exactly the threshold as good and one nanosecond more as bad', () => {
    const events = [sliEvent({ durationNs: 137_000_000, service: 'api' }), sliEvent({ durationNs: 137_000_001, service: 'api' })];
    expect(countGoodTotal(latencySlo.indicator, { service: 'api' }, events)).toEqual({ good: 1, total: 2 });
  });

  it('reports no level when no event counts, so the state machine shows NODATA', () => {
    expect(budgetLevel({ good: 0, total: 0 }, 0.999)).toBeUndefined();
    expect(evaluateEvents(latencySlo, [sliEvent({ durationNs: 1, service: 'api', probe: true })])).toEqual({ level: undefined, total: 0 });
  });

  it('defines the level as the share of the error budget consumed', () => {
    // 99.9 % objective: 1 bad in 1000 spends the whole budget, 1 in 2000 half of it.
    expect(budgetLevel({ good: 999, total: 1_000 }, 0.999)).toBeCloseTo(1, 9);
    expect(budgetLevel({ good: 1_999, total: 2_000 }, 0.999)).toBeCloseTo(0.5, 9);
  });

  it('counts 5xx and proxy-side failures as unavailable but client aborts and client errors as available', () => {
    const byTermination = (termination: TerminationCode, status: number) => isAvailable(sliEvent({ durationNs: 1, termination, status }));
    expect(byTermination('ok', 200)).toBe(true);
    expect(byTermination('ok', 503)).toBe(false);
    expect(byTermination('upstream_reset', 200)).toBe(false); // body cut after headers went out
    expect(byTermination('upstream_headers_timeout', 504)).toBe(false);
    expect(byTermination('client_abort', 499)).toBe(true);
    expect(byTermination('bad_request', 400)).toBe(true);
    expect(byTermination('ok', 404)).toBe(true);
    expect(TERMINATION_CODES.length).toBeGreaterThan(0);
  });

  it('accepts a full request event from the telemetry contract', () => {
    const event: RequestEvent = exampleRequestEvent();
    expect(countGoodTotal({ type: 'availability' }, {}, [event]).total).toBe(event.lookout.probe ? 0 : 1);
  });

  it('computes exact nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile(values, 0.07)).toBe(7);
    expect(percentile(values, 1)).toBe(100);
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(20);
    expect(percentile([10, 20, 30, 40], 0.51)).toBe(30);
    expect(percentile([5], 0.01)).toBe(5);
    expect(percentile([], 0.5)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });

  it('levels a threshold SLO as SLI over limit, for percentiles and error rate', () => {
    const events = Array.from({ length: 100 }, (_, i) => sliEvent({ durationNs: (i + 1) * 1e6, service: 'api', status: i < 2 ? 500 : 200 }));
    const p99: ThresholdSlo = {
      ...latencySlo,
      kind: 'threshold',
      filter: { service: 'api' },
      indicator: { type: 'threshold', metric: 'p99', limit: 90, windowMs: 300_000 },
      windowMs: 300_000,
    };
    expect(thresholdSli(p99.indicator, p99.filter, events)).toBe(99);
    expect(evaluateEvents(p99, events)).toEqual({ level: 99 / 90, total: 100 });
    const errors: ThresholdSlo = { ...p99, indicator: { type: 'threshold', metric: 'error-rate', limit: 0.01, windowMs: 300_000 } };
    expect(evaluateEvents(errors, events).level).toBeCloseTo(2, 9);
  });
});
