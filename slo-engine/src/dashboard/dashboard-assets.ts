import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the page loads, held in memory (they are small, and read once at start). */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
  /** Strong validator of the body, for `If-None-Match`. */
  readonly etag: string;
}

/** The page's own files: changed by an upgrade, so revalidated on every load (cheap: ETag, 304). */
const REVALIDATE = 'no-cache';
/** Third-party files under a versioned URL: never change at that URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page's files (under `page/`), by URL path below `assets/`, plus `index.html`. */
const PAGE_FILES = ['index.html', 'dashboard.css', 'main.js', 'format.js', 'time-chart.js', 'slo-panel.js', 'traffic-panels.js', 'favicon.svg'] as const;

/** Files of the uplot package served to the page. */
const UPLOT_FILES = ['uPlot.iife.min.js', 'uPlot.min.css'] as const;

/** A page file or library the package lacks (a broken install), named. */
export class DashboardAssetError extends Error {
  readonly code = 'SLO_DASHBOARD_ASSET_MISSING';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DashboardAssetError';
  }
}

/** The assets and the URL paths the page uses for them. */
export interface DashboardAssets {
  /** `assets/<name>` → asset; `index.html` is the page itself. */
  readonly files: ReadonlyMap<string, DashboardAsset>;
  /** Directory of uPlot under `assets/`, e.g. `uplot-1.6.32`. */
  readonly uplotPath: string;
}

/**
 * Reads the page (HTML, CSS, ES modules from `page/`, served as they are: no build step) and
 * uPlot's browser build from the installed `uplot` package. uPlot is served under a versioned
 * path (`assets/uplot-<version>/...`) so browsers may cache it for good; the page's own files
 * are revalidated on each load. Throws {@link DashboardAssetError} naming a missing file.
 */
export function loadDashboardAssets(): DashboardAssets {
  const pageDir = fileURLToPath(new URL('./page/', import.meta.url));
  const files = new Map<string, DashboardAsset>();
  let uplotDir: string;
  let version: string;
  try {
    const require = createRequire(import.meta.url);
    uplotDir = dirname(require.resolve('uplot/package.json'));
    version = (JSON.parse(readFileSync(join(uplotDir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch (error) {
    throw new DashboardAssetError(`the live dashboard needs the "uplot" package (a dependency of @lookout/slo-engine), not found from ${pageDir}: ${(error as Error).message}`, { cause: error });
  }
  const uplotPath = `uplot-${version}`;
  const html = readAsset(join(pageDir, 'index.html')).toString('utf8').replaceAll('{{uplot}}', uplotPath);
  files.set('index.html', asset(Buffer.from(html), '.html', REVALIDATE));
  for (const name of PAGE_FILES) {
    if (name === 'index.html') continue;
    files.set(`assets/${name}`, asset(readAsset(join(pageDir, name)), extension(name), REVALIDATE));
  }
  for (const name of UPLOT_FILES) {
    files.set(`assets/${uplotPath}/${name}`, asset(readAsset(join(uplotDir, 'dist', name)), extension(name), IMMUTABLE));
  }
  return { files, uplotPath };
}

function readAsset(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DashboardAssetError(`the live dashboard's file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

function extension(name: string): string {
  return name.slice(name.lastIndexOf('.'));
}

function asset(body: Buffer, ext: string, cacheControl: string): DashboardAsset {
  const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType, cacheControl, etag };
}
