import { connectionListedHeaders, HOP_BY_HOP_HEADERS } from './hop-by-hop.ts';

/** How the request reached the proxy, for the X-Forwarded-* and Forwarded headers. */
export interface ForwardingContext {
  readonly clientIp: string;
  readonly proto: 'http' | 'https';
  /** Host header to send upstream: undefined keeps the client's, '' sends the member's own. */
  readonly hostOverride: string | undefined;
  /** `Via` value to append, or undefined for none. */
  readonly via: string | undefined;
}

/** What the header scan learned about the request body, read on the way. */
export interface RequestHeaderFacts {
  /** Content-Length as sent, -1 when absent. */
  contentLength: number;
  /** Transfer-Encoding was present (the body is chunked). */
  chunked: boolean;
  /** The client's Host header. */
  host: string;
  /** W3C `traceparent` as received (not forwarded: the proxy sends its own). */
  traceparent: string | undefined;
  userAgent: string | undefined;
  /** `X-Request-Id` as received. */
  requestId: string | undefined;
}

// Lengths of every header name the scan treats specially: other names are copied without
// lower-casing them (measured: most requests carry only such names).
const SPECIAL_LENGTHS = new Set(
  [
    ...HOP_BY_HOP_HEADERS,
    'host',
    'expect',
    'forwarded',
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-host',
    'content-length',
    'via',
    'traceparent',
    'user-agent',
    'x-request-id',
  ].map(
    (name) => name.length,
  ),
);

/**
 * Builds the header list sent upstream from Node's `rawHeaders` (flat `[name, value, ...]`,
 * original case and order): hop-by-hop headers and those named in `Connection` removed,
 * `Expect` removed (the 100-continue exchange happens with the client),
 * X-Forwarded-For appended to, X-Forwarded-Proto/-Host set when absent, `Forwarded`
 * (RFC 7239) appended to, optional `Via`, `traceparent` left for the caller to set (the proxy
 * continues the trace with a span of its own). Everything else passes unchanged.
 */
export function upstreamRequestHeaders(raw: readonly string[], context: ForwardingContext, facts: RequestHeaderFacts): string[] {
  const out: string[] = [];
  let connection: string | undefined;
  let forwardedFor: string | undefined;
  let forwarded: string | undefined;
  let via: string | undefined;
  let hasProto = false;
  let hasForwardedHost = false;
  facts.contentLength = -1;
  facts.chunked = false;
  facts.host = '';
  facts.traceparent = undefined;
  facts.userAgent = undefined;
  facts.requestId = undefined;

  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (!SPECIAL_LENGTHS.has(name.length)) {
      out.push(name, value);
      continue;
    }
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
        facts.host = value;
        if (context.hostOverride === undefined) out.push(name, value);
        continue;
      case 'content-length':
        facts.contentLength = Number(value);
        out.push(name, value);
        continue;
      case 'transfer-encoding':
        facts.chunked = true;
        continue;
      case 'connection':
        connection = connection === undefined ? value : `${connection},${value}`;
        continue;
      case 'expect':
        continue;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'forwarded':
        forwarded = forwarded === undefined ? value : `${forwarded}, ${value}`;
        continue;
      case 'via':
        via = via === undefined ? value : `${via}, ${value}`;
        continue;
      case 'traceparent':
        facts.traceparent = value;
        continue;
      case 'user-agent':
        facts.userAgent = value;
        break;
      case 'x-request-id':
        facts.requestId = value;
        break;
      case 'x-forwarded-proto':
        hasProto = true;
        break;
      case 'x-forwarded-host':
        hasForwardedHost = true;
        break;
      default:
        if (HOP_BY_HOP_HEADERS.has(lower)) continue;
    }
    out.push(name, value);
  }

  const ip = context.clientIp;
  if (context.hostOverride) out.push('host', context.hostOverride);
  out.push('x-forwarded-for', forwardedFor === undefined ? ip : `${forwardedFor}, ${ip}`);
  if (!hasProto) out.push('x-forwarded-proto', context.proto);
  if (!hasForwardedHost && facts.host !== '') out.push('x-forwarded-host', facts.host);
  const element = forwardedElement(ip, facts.host, context.proto);
  out.push('forwarded', forwarded === undefined ? element : `${forwarded}, ${element}`);
  if (context.via !== undefined) out.push('via', via === undefined ? context.via : `${via}, ${context.via}`);
  else if (via !== undefined) out.push('via', via);

  const listed = connectionListedHeaders(connection);
  return listed === undefined ? out : withoutNames(out, listed);
}

/** One RFC 7239 element; IPv6 addresses and hosts with ports are quoted (section 6). */
function forwardedElement(ip: string, host: string, proto: string): string {
  const forValue = ip.includes(':') ? `"[${ip}]"` : ip;
  if (host === '') return `for=${forValue};proto=${proto}`;
  const hostValue = /^[A-Za-z0-9.-]+$/.test(host) ? host : `"${host.replace(/["\\]/g, '')}"`;
  return `for=${forValue};host=${hostValue};proto=${proto}`;
}

function withoutNames(headers: string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!names.has(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}
