import type { ProxyErrorCode } from './errors.ts';

/** Why a parsed request head is refused before routing. */
export interface RequestHeadProblem {
  readonly code: Extract<ProxyErrorCode, 'PROXY_BAD_HOST' | 'PROXY_BAD_REQUEST'>;
  readonly detail: string;
}

// Host values that need no further check: the same pattern @hono/node-server accepts without
// building a URL (lower-case name, optional port 1000-59999 or 6000-9999).
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
const PORT_SUFFIX = /:\d+$/;

/**
 * Checks what Node's HTTP parser lets through but a virtual-host proxy must refuse
 * (RFC 9112 section 3.2: a request with no Host, more than one, or an invalid one gets 400;
 * section 3.2 forms of the request target). Returns undefined for a request to route.
 *
 * - the target is origin-form (`/path`) or absolute-form (`http://host/path`, `https://...`),
 *   without a fragment (`#`), without userinfo (`http://user:pass@host/`) and with no backslash
 *   in its path (`OPTIONS *`, authority-form outside CONNECT and the rest are
 *   refused: this proxy has no use for them);
 * - exactly one Host header, non-empty, a host name or IP literal with an optional port, and
 *   nothing else (`a@b`, `a/b`, spaces, a port past 65535 are refused).
 *
 * Cost on the hot path: one pass over `rawHeaders` comparing name lengths, one regex.
 */
export function requestHeadProblem(target: string, rawHeaders: readonly string[]): RequestHeadProblem | undefined {
  if (target.charCodeAt(0) !== 47 /* / */) {
    if (!target.startsWith('http://') && !target.startsWith('https://')) {
      return { code: 'PROXY_BAD_REQUEST', detail: `the request target must be origin-form ("/path") or absolute-form ("http://host/path"), got ${quote(withoutQuery(target))}` };
    }
    if (!URL.canParse(target)) return { code: 'PROXY_BAD_REQUEST', detail: 'invalid absolute-form target' };
    const url = new URL(target);
    // RFC 9110 section 4.2.4: userinfo in a target URI is an error (and never echoed back).
    if (url.username !== '' || url.password !== '') return { code: 'PROXY_BAD_REQUEST', detail: 'credentials (userinfo) in the request target' };
  }
  if (target.indexOf('#') !== -1) return { code: 'PROXY_BAD_REQUEST', detail: `a fragment ("#") has no place in a request target, got ${quote(withoutQuery(target))}` };
  const backslash = target.indexOf('\\');
  if (backslash !== -1) {
    const query = target.indexOf('?');
    if (query === -1 || backslash < query) return { code: 'PROXY_BAD_REQUEST', detail: `backslash in the request path ${quote(withoutQuery(target))}` };
  }

  let host: string | undefined;
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      host = rawHeaders[i + 1]!;
      count++;
    }
  }
  if (count === 0 || host === undefined) return { code: 'PROXY_BAD_HOST', detail: 'no Host header' };
  if (count > 1) return { code: 'PROXY_BAD_HOST', detail: `${count} Host headers` };
  if (host === '') return { code: 'PROXY_BAD_HOST', detail: 'empty Host header' };
  if (PLAIN_HOST.test(host) || isCanonicalAuthority(host)) return undefined;
  return { code: 'PROXY_BAD_HOST', detail: `invalid Host header ${quote(host)}` };
}

/**
 * Whether `host` is exactly a URL authority's host[:port] (upper case allowed), and nothing a
 * URL parser would reinterpret: `a@b` (credentials), `a/b` (path), `1.2.3` (an IPv4 shorthand
 * rewritten to `1.2.0.3`), spaces, ports past 65535.
 */
function isCanonicalAuthority(host: string): boolean {
  if (!URL.canParse(`http://${host}/`)) return false;
  const url = new URL(`http://${host}/`);
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return false;
  const name = (PORT_SUFFIX.test(host) && !host.endsWith(']') ? host.replace(PORT_SUFFIX, '') : host).toLowerCase();
  return url.hostname === name;
}

/** The target up to its query: a query may carry credentials, and error messages are recorded unredacted. */
function withoutQuery(target: string): string {
  const mark = target.indexOf('?');
  return mark === -1 ? target : `${target.slice(0, mark)}?...`;
}

/** A value for an error message: JSON-quoted, at most 100 characters of it. */
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);
}
