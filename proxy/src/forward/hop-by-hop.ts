/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1, RFC 9112 section 9.6, RFC 7230 section 6.1):
 * meaningful only for a single connection, so a proxy never forwards them. `Proxy-*`
 * credentials are meant for this proxy, not the upstream. Names listed in `Connection`
 * are hop-by-hop too and are removed in addition to these.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Names listed in a `Connection` header value, lower-case, except the `close` and
 * `keep-alive` options. Returns undefined when there are none (the common case).
 */
export function connectionListedHeaders(connection: string | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const lower = connection.toLowerCase();
  // Fast path: the values every client sends.
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  let listed: Set<string> | undefined;
  for (const token of lower.split(',')) {
    const name = token.trim();
    if (name === '' || name === 'close' || name === 'keep-alive') continue;
    (listed ??= new Set()).add(name);
  }
  return listed;
}

/**
 * undici's parsed response headers (lower-case keys) as the flat `[name, value, ...]` list that
 * `ServerResponse.writeHead` takes, without hop-by-hop headers. Repeated headers (Set-Cookie)
 * stay separate entries.
 */
export function responseHeaderList(headers: Record<string, string | string[] | undefined>): string[] {
  const connection = headers.connection;
  const listed = connection === undefined ? undefined : connectionListedHeaders(Array.isArray(connection) ? connection.join(',') : connection);
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP_HEADERS.has(name) || listed?.has(name)) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (let i = 0; i < value.length; i++) out.push(name, value[i]!);
  }
  return out;
}
