import type { RequestEvent } from './request-event.ts';

/**
 * A complete, valid request event (every optional field present), for tests and docs.
 * Returns a fresh object each call, so callers may mutate it.
 */
export function exampleRequestEvent(): RequestEvent {
  return {
    '@timestamp': '2025-11-22T10:15:30.123Z',
    event: {
      id: '019aab4c-7e0b-7a1c-8d2e-5c1e9f2a7d44',
      kind: 'event',
      category: ['web'],
      type: ['access'],
      outcome: 'success',
      duration: 2_345_678,
      start: '2025-11-22T10:15:30.123Z',
      end: '2025-11-22T10:15:30.125Z',
      dataset: 'lookout.request',
    },
    url: {
      original: '/orders?id=42&token=REDACTED',
      path: '/orders',
      query: 'id=42&token=REDACTED',
      scheme: 'http',
      domain: 'my-service3.my-company.com',
    },
    http: {
      version: '1.1',
      request: { method: 'GET', id: 'f3b1c2d4-0000-4000-8000-000000000001', body: { bytes: 0 } },
      response: { status_code: 200, body: { bytes: 512 } },
    },
    source: { ip: '10.0.0.7' },
    client: { ip: '203.0.113.9' },
    destination: { address: '127.0.0.1', port: 9001 },
    service: {
      name: 'lookout',
      version: '0.1.0',
      environment: 'production',
      node: { name: 'lookout-0' },
      target: { name: 'my-service3' },
    },
    observer: { type: 'proxy', name: 'lookout-0' },
    user_agent: { original: 'k6/1.4.0 (https://k6.io/)' },
    trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
    span: { id: '00f067aa0ba902b7' },
    error: { type: 'ConnectTimeoutError', code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error' },
    lookout: {
      timing: {
        queue_wait_ms: 0.012,
        connect_ms: 0.41,
        upstream_first_byte_ms: 1.873,
        upstream_last_byte_ms: 2.101,
        client_last_byte_ms: 2.344,
      },
      connection_reused: false,
      retries: 1,
      termination: 'ok',
      balancer: { type: 'round-robin', decision: 'weighted-rr' },
      upstream: { member: 'http://127.0.0.1:9001', member_id: '1k2x9q0', pool: 'my-service3', color: 'blue' },
      probe: false,
    },
  };
}
