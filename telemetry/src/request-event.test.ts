import { describe, expect, it } from 'vitest';
import { exampleRequestEvent } from './request-event.example.ts';
import { InvalidRequestEventError, parseRequestEvent, requestEventSchema, type RequestEvent } from './request-event.ts';

function issuesOf(input: unknown): readonly string[] {
  try {
    parseRequestEvent(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestEventError);
    return (error as InvalidRequestEventError).issues;
  }
  throw new Error('expected the event to be rejected');
}

function minimalEvent(): RequestEvent {
  const { destination, user_agent, error, ...event } = exampleRequestEvent();
  const { query, ...url } = event.url;
  const { environment, target, ...service } = event.service;
  const { connection_reused, balancer, upstream, ...lookout } = event.lookout;
  return {
    ...event,
    url,
    service,
    http: { ...event.http, request: { method: 'GET', body: { bytes: 0 } } },
    lookout: { ...lookout, termination: 'no_route', timing: { queue_wait_ms: 0, client_last_byte_ms: 0.08 } },
  };
}

describe('request event schema', () => {
  it('accepts a complete event and returns it unchanged', () => {
    const event = exampleRequestEvent();
    expect(parseRequestEvent(event)).toEqual(event);
  });

  it('accepts an event without any optional field (a request that matched no route)', () => {
    expect(requestEventSchema.safeParse(minimalEvent()).success).toBe(true);
  });

  it('accepts IPv6 and IPv4-mapped addresses', () => {
    const event = exampleRequestEvent();
    event.source.ip = '::ffff:127.0.0.1';
    event.client.ip = '2001:db8::1';
    expect(requestEventSchema.safeParse(event).success).toBe(true);
  });

  it('names the path of every problem in one readable list', () => {
    const event = exampleRequestEvent() as unknown as Record<string, any>;
    event.event.duration = 1.5;
    event.http.response.status_code = 700;
    event.lookout.termination = 'upstream_timeout_typo';
    event.source.ip = 'not-an-ip';
    const issues = issuesOf(event);
    expect(issues).toHaveLength(4);
    expect(issues.some((line) => line.startsWith('event.duration: '))).toBe(true);
    expect(issues.some((line) => line.startsWith('http.response.status_code: '))).toBe(true);
    expect(issues.some((line) => line.startsWith('lookout.termination: ') && line.includes('no_route'))).toBe(true);
    expect(issues.some((line) => line.startsWith('source.ip: '))).toBe(true);
  });

  it('puts the issues in the error message, one per line', () => {
    const event = exampleRequestEvent() as unknown as Record<string, any>;
    event.event.kind = 'alert';
    expect(() => parseRequestEvent(event)).toThrow(/invalid request event:\n {2}event\.kind: /);
  });

  it('rejects a field that is not in the contract, as the strict mapping would', () => {
    const event = exampleRequestEvent() as unknown as Record<string, any>;
    event.lookout.tries = 2;
    event.extra = true;
    const issues = issuesOf(event);
    expect(issues).toContainEqual(expect.stringMatching(/^lookout: .*"tries"/));
    expect(issues).toContainEqual(expect.stringMatching(/^\(event\): .*"extra"/));
  });

  it('rejects a missing required field', () => {
    const event = exampleRequestEvent() as unknown as Record<string, any>;
    delete event.trace;
    delete event.lookout.probe;
    expect(issuesOf(event)).toEqual([expect.stringMatching(/^trace: /), expect.stringMatching(/^lookout\.probe: /)]);
  });

  it('rejects timestamps that are not ISO 8601 UTC and durations that are negative', () => {
    const event = exampleRequestEvent() as unknown as Record<string, any>;
    event['@timestamp'] = 1_763_806_530_123;
    event.event.start = '22/11/2025 10:15';
    event.lookout.timing.client_last_byte_ms = -1;
    expect(issuesOf(event).map((line) => line.split(':')[0])).toEqual([
      '@timestamp',
      'event.start',
      'lookout.timing.client_last_byte_ms',
    ]);
  });

  it('rejects trace ids that are not W3C trace context ids', () => {
    const event = exampleRequestEvent();
    event.trace.id = '4BF92F3577B34DA6A3CE929D0E0E4736';
    expect(issuesOf(event)).toEqual(['trace.id: expected 32 lower-case hex digits']);
  });

  it('points into arrays with an index', () => {
    const event = exampleRequestEvent() as unknown as Record<string, any>;
    event.event.category = ['network'];
    expect(issuesOf(event)).toEqual([expect.stringMatching(/^event\.category\[0\]: /)]);
  });
});
