import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';
import { parseSloSpecText } from './load-slo-spec.ts';
import { SloSpecError } from './slo-spec-error.ts';

const VALID = `slos:
  - name: api-availability
    description: API answers
    service: api
    indicator: { type: availability }
    objective: 0.999
    owners:
      sli: [oncall@example.test]
      slo: [product@example.test, ops-webhook]
  - name: shop-p99
    host: shop.example.test
    pathPrefix: /checkout
    indicator: { type: threshold, metric: p99, limit: 250, window: 5m }
    hold: 2m
    states: { green: 0.5, orange: 0.9, red: 1.2 }
`;

function specError(text: string): SloSpecError {
  try {
    parseSloSpecText(text, 'slos.yaml');
  } catch (error) {
    if (error instanceof SloSpecError) return error;
    throw error;
  }
  throw new Error('expected a SloSpecError');
}

describe('SLO spec', () => {
  it('resolves a valid spec into the model with defaults and durations in ms', () => {
    const [availability, p99] = parseSloSpecText(VALID, 'slos.yaml');
    expect(availability).toEqual({
      kind: 'budget',
      name: 'api-availability',
      description: 'API answers',
      filter: { service: 'api' },
      indicator: { type: 'availability' },
      objective: 0.999,
      windowMs: 30 * 86_400_000,
      states: { green: 0.6, orange: 0.8, red: 1 },
      holdMs: 300_000,
      owners: { sli: ['oncall@example.test'], slo: ['product@example.test', 'ops-webhook'] },
      minTraffic: 10,
    });
    expect(p99).toMatchObject({
      kind: 'threshold',
      filter: { host: 'shop.example.test', pathPrefix: '/checkout' },
      indicator: { type: 'threshold', metric: 'p99', limit: 250, windowMs: 300_000 },
      holdMs: 120_000,
      states: { green: 0.5, orange: 0.9, red: 1.2 },
    });
  });

  it('names the file, line, path and expectation of every problem', () => {
    const error = specError(`slos:
  - name: api
    service: api
    indicator: { type: latency, thresholdMs: -3 }
    objective: 0.999
    hold: soon
`);
    expect(error.code).toBe('SLO_SPEC_INVALID');
    expect(error.file).toBe('slos.yaml');
    expect(error.problems).toContainEqual({ path: 'slos[0].indicator.thresholdMs', line: 4, message: expect.stringContaining('>0') });
    expect(error.problems).toContainEqual({ path: 'slos[0].hold', line: 6, message: expect.stringContaining('expected a duration') });
    expect(error.message).toContain('slos.yaml:6: slos[0].hold: expected a duration');
  });

  it('requires exactly one of service or host and an objective for budget SLOs', () => {
    const error = specError(`slos:
  - name: api
    indicator: { type: availability }
`);
    expect(error.problems.map((p) => p.path).sort()).toEqual(['slos[0].objective', 'slos[0].service']);
    expect(error.problems.find((p) => p.path === 'slos[0].service')?.message).toBe('expected exactly one of "service" or "host"');
  });

  it('names the allowed indicator types, unknown keys and duplicate names', () => {
    const error = specError(`slos:
  - name: a
    service: api
    indicator: { type: saturation }
    objective: 0.99
  - name: a
    service: api
    indicator: { type: availability }
    objective: 0.99
    owner: me
`);
    expect(error.problems).toContainEqual({ path: 'slos[0].indicator.type', line: 4, message: 'expected one of "availability", "latency", "threshold", got "saturation"' });
    expect(error.problems).toContainEqual({ path: 'slos[1]', line: 6, message: 'unknown key "owner"' });
  });

  it('rejects duplicate names and unordered state thresholds', () => {
    const error = specError(`slos:
  - { name: a, service: api, indicator: { type: availability }, objective: 0.99 }
  - { name: a, service: api, indicator: { type: availability }, objective: 0.99, states: { green: 0.9, orange: 0.8 } }
`);
    expect(error.problems).toContainEqual({ path: 'slos[1].name', line: 3, message: 'duplicate SLO name "a"' });
    expect(error.problems).toContainEqual(expect.objectContaining({ path: 'slos[1].states', message: 'expected green < orange <= red' }));
  });

  it('reports YAML syntax errors with their line', () => {
    const error = specError('slos:\n  - name: [unclosed\n');
    expect(error.code).toBe('SLO_SPEC_INVALID_YAML');
    expect(error.problems[0]?.line).toBeGreaterThan(0);
  });

  it('parses duration strings', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5 minutes')).toBeUndefined();
  });
});
