import { describe, expect, it } from 'vitest';
import { upstreamRequestHeaders, type RequestHeaderFacts } from './upstream-request-headers.ts';

function facts(): RequestHeaderFacts {
  return { contentLength: -1, chunked: false, host: '', traceparent: undefined, userAgent: undefined, requestId: undefined };
}

function asObject(list: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < list.length; i += 2) (out[list[i]!.toLowerCase()] ??= []).push(list[i + 1]!);
  return out;
}

const context = { clientIp: '192.0.2.7', proto: 'http' as const, hostOverride: undefined, via: undefined };

describe('upstream request headers', () => {
  it('keeps end-to-end headers as sent, in order and case', () => {
    const out = upstreamRequestHeaders(['Host', 'a.test', 'X-Custom', 'One', 'Accept', '*/*', 'X-Custom', 'Two'], context, facts());
    expect(out.slice(0, 8)).toEqual(['Host', 'a.test', 'X-Custom', 'One', 'Accept', '*/*', 'X-Custom', 'Two']);
  });

  it('drops hop-by-hop headers, those named in Connection, and Expect', () => {
    const out = asObject(
      upstreamRequestHeaders(
        ['Host', 'a.test', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'Keep-Alive', '5', 'TE', 'trailers', 'Upgrade', 'h2c', 'Proxy-Authorization', 'Basic x', 'Expect', '100-continue', 'Transfer-Encoding', 'chunked'],
        context,
        facts(),
      ),
    );
    for (const name of ['connection', 'x-secret', 'keep-alive', 'te', 'upgrade', 'proxy-authorization', 'expect', 'transfer-encoding']) expect(out[name]).toBeUndefined();
  });

  it('appends to X-Forwarded-For and Forwarded, sets X-Forwarded-Proto/-Host only when absent', () => {
    const out = asObject(
      upstreamRequestHeaders(['Host', 'a.test:8080', 'X-Forwarded-For', '203.0.113.1', 'X-Forwarded-Proto', 'https', 'Forwarded', 'for=203.0.113.1'], context, facts()),
    );
    expect(out['x-forwarded-for']).toEqual(['203.0.113.1, 192.0.2.7']);
    expect(out['x-forwarded-proto']).toEqual(['https']);
    expect(out['x-forwarded-host']).toEqual(['a.test:8080']);
    expect(out.forwarded).toEqual(['for=203.0.113.1, for=192.0.2.7;host="a.test:8080";proto=http']);
  });

  it('quotes IPv6 clients in Forwarded (RFC 7239 section 6)', () => {
    const out = asObject(upstreamRequestHeaders(['Host', 'a.test'], { ...context, clientIp: '2001:db8::1' }, facts()));
    expect(out.forwarded).toEqual(['for="[2001:db8::1]";host=a.test;proto=http']);
  });

  it('rewrites Host when the service says so and records what the body scan needs', () => {
    const seen = facts();
    const out = asObject(
      upstreamRequestHeaders(['Host', 'a.test', 'Content-Length', '12', 'Traceparent', 't', 'User-Agent', 'ua', 'X-Request-Id', 'r1'], { ...context, hostOverride: 'internal.svc' }, seen),
    );
    expect(out.host).toEqual(['internal.svc']);
    expect(out.traceparent).toBeUndefined();
    expect(seen).toEqual({ contentLength: 12, chunked: false, host: 'a.test', traceparent: 't', userAgent: 'ua', requestId: 'r1' });
  });

  it('appends its own Via when configured', () => {
    const out = asObject(upstreamRequestHeaders(['Host', 'a.test', 'Via', '1.0 edge'], { ...context, via: '1.1 lookout' }, facts()));
    expect(out.via).toEqual(['1.0 edge, 1.1 lookout']);
  });
});
