import manifest from '../package.json' with { type: 'json' };

/** The proxy's version, reported in telemetry (`service.version`) and metrics. */
export const PROXY_VERSION: string = manifest.version;
