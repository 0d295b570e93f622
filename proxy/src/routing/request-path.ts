/**
 * The origin-form target (`/path?query`) that routing, forwarding and telemetry all use, so
 * the route the proxy picks is the route of the path the upstream receives. Normalised per
 * RFC 3986 section 6.2.2, on the path only (the query is left as sent):
 * - percent-encoded unreserved characters are decoded (`%2e` -> `.`, `%41` -> `A`,
 *   section 6.2.2.2), so `/x/%2e%2e/admin` cannot slip past a `/admin` prefix;
 * - dot segments are removed (section 5.2.4): `/a/../b` -> `/b`, `/a/./b` -> `/a/b`,
 *   never above the root (`/../x` -> `/x`).
 *
 * Kept unchanged: encoded reserved characters such as `%2F` (an encoded slash is data, not a
 * separator: `/admin%2Fx` does not match a `/admin` prefix and is forwarded as sent), repeated
 * slashes, and invalid escapes.
 *
 * Fast path: a path without `%` and without `/.` is returned as is (no allocation).
 *
 * @example normalizeRequestTarget('/api/v1/../v2/%7Euser?q=/../x') // '/api/v2/~user?q=/../x'
 */
export function normalizeRequestTarget(target: string): string {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path.indexOf('%') === -1 && path.indexOf('/.') === -1) return target;
  const normalized = removeDotSegments(decodeUnreserved(path));
  if (normalized === path) return target;
  return query === -1 ? normalized : normalized + target.slice(query);
}

/** `%XX` escapes of ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 section 2.3) decoded. */
function decodeUnreserved(path: string): string {
  if (path.indexOf('%') === -1) return path;
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const code = Number.parseInt(hex, 16);
    return isUnreserved(code) ? String.fromCharCode(code) : escape;
  });
}

function isUnreserved(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x7e // ~
  );
}

/** RFC 3986 section 5.2.4 for an absolute path (starts with `/`). */
function removeDotSegments(path: string): string {
  if (path.indexOf('/.') === -1) return path;
  const segments = path.split('/');
  const out: string[] = [];
  // segments[0] is the empty string before the leading slash.
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}
