/** One routing rule: these hosts, under this path prefix, go to `target`. */
export interface RouteSpec<T> {
  readonly hosts: readonly string[];
  readonly pathPrefix: string;
  readonly target: T;
}

interface PrefixRoute<T> {
  readonly prefix: string;
  readonly target: T;
}

/**
 * Virtual-host router compiled once per config: exact hosts in a Map, `*.domain` wildcards
 * by suffix, then the longest path prefix that matches on a segment boundary.
 */
export class Router<T> {
  readonly #exact = new Map<string, PrefixRoute<T>[]>();
  readonly #wildcards: { suffix: string; routes: PrefixRoute<T>[] }[] = [];

  constructor(specs: readonly RouteSpec<T>[]) {
    for (const spec of specs) {
      for (const host of spec.hosts) {
        const route = { prefix: spec.pathPrefix === '/' ? '' : spec.pathPrefix.replace(/\/+$/, ''), target: spec.target };
        let routes: PrefixRoute<T>[] | undefined;
        if (host.startsWith('*.')) {
          const suffix = host.slice(1);
          routes = this.#wildcards.find((w) => w.suffix === suffix)?.routes;
          if (!routes) this.#wildcards.push({ suffix, routes: (routes = []) });
        } else {
          routes = this.#exact.get(host);
          if (!routes) this.#exact.set(host, (routes = []));
        }
        routes.push(route);
        routes.sort((a, b) => b.prefix.length - a.prefix.length);
      }
    }
    // Longer suffixes are more specific.
    this.#wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  /** Whether any route serves this (normalised) host name. */
  servesHost(host: string): boolean {
    return this.#routesFor(host) !== undefined;
  }

  /**
   * The target for a request. `host` is the Host header value as received (any case, optional
   * port); `target` is the origin-form request target (path and query).
   */
  match(host: string, target: string): T | undefined {
    const routes = this.#routesFor(normalizeHost(host));
    if (routes === undefined) return undefined;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i]!;
      if (route.prefix === '' || matchesPrefix(target, route.prefix)) return route.target;
    }
    return undefined;
  }

  #routesFor(host: string): PrefixRoute<T>[] | undefined {
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact;
    for (let i = 0; i < this.#wildcards.length; i++) {
      const wildcard = this.#wildcards[i]!;
      if (host.endsWith(wildcard.suffix) && host.length > wildcard.suffix.length) return wildcard.routes;
    }
    return undefined;
  }
}

/** Lower-case host name without port (`Example.COM:8080` -> `example.com`, `[::1]:80` -> `[::1]`). */
export function normalizeHost(host: string): string {
  let end = host.length;
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && host.indexOf(']') < colon) end = colon;
  if (end > 0 && host.charCodeAt(end - 1) === 46 /* trailing dot */) end--;
  return (end === host.length ? host : host.slice(0, end)).toLowerCase();
}

/** `/api` matches `/api`, `/api/x`, `/api?q`, not `/apix`. */
function matchesPrefix(target: string, prefix: string): boolean {
  if (!target.startsWith(prefix)) return false;
  const next = target.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}
