#!/usr/bin/env node
// Wiring only: read the config, start the server (or the worker processes), connect signals.
import cluster from 'node:cluster';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { hostname } from 'node:os';
import { createAdminApp } from './admin/admin-app.ts';
import { otlpExportOptions } from './metrics/metrics-config.ts';
import type { StartedMetrics } from './metrics/start-metrics.ts';
import { createQueryRedactor } from '@lookout/telemetry';
import { RequestEventRecorder } from './request-event/request-event-recorder.ts';
import { createTelemetryPipeline } from './telemetry/create-telemetry-pipeline.ts';
import { PROXY_VERSION } from './version.ts';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from './config/load-config.ts';
import type { PoolColor, ProxyConfig } from './config/schema.ts';
import type { ColorSwitchResult } from './upstream/color-switch.ts';
import { createLogger } from './log.ts';
import { ProxyServer } from './proxy-server.ts';
import { CertificateWatcher } from './tls/certificate-watcher.ts';
import { loadTlsCredentials, tlsFacts, type TlsCredentials } from './tls/tls-credentials.ts';

const USAGE = 'usage: lookout-proxy --config FILE   (or PROXY_CONFIG=FILE)';
const log = createLogger(cluster.isWorker ? { worker: cluster.worker?.id } : {});

async function main(): Promise<void> {
  const configFile = configPath();
  const config = await loadOrExit(configFile);
  const workers = config.workers === 'auto' ? availableParallelism() : config.workers;
  if (workers > 1 && cluster.isPrimary) {
    // A certificate that cannot be served stops the start here, not in every worker in turn.
    loadTlsOrExit(config, configFile);
    runPrimary(configFile, workers);
  } else {
    await runServer(configFile, config);
  }
}

function configPath(): string {
  let values: { config?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const file = values.config ?? process.env.PROXY_CONFIG;
  if (!file) {
    console.error(`no config file given\n${USAGE}`);
    process.exit(2);
  }
  return file;
}

async function loadOrExit(file: string): Promise<ProxyConfig> {
  try {
    return await loadConfigFile(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.fatal({ code: error.code, file: error.file, problems: error.problems }, error.message);
    process.exit(2);
  }
}

/** The listener's certificate and key, or exit 2 with the reason (as for an invalid config). */
function loadTlsOrExit(config: ProxyConfig, configFile: string): TlsCredentials | undefined {
  try {
    return loadTlsCredentials(config, configFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.fatal({ code: error.code, file: error.file, problems: error.problems }, error.message);
    process.exit(2);
  }
}

/** One worker, or the only process: serve, reload on SIGHUP, drain on SIGTERM/SIGINT. */
async function runServer(configFile: string, config: ProxyConfig): Promise<void> {
  const tls = loadTlsOrExit(config, configFile);
  const scheme = tls === undefined ? 'http' : 'https';
  const telemetry = createTelemetryPipeline(config.telemetry, log);
  void telemetry.start();
  const otlp = otlpExportOptions(config.metrics);
  // Metrics only when something reads them (admin API or OTLP): their SDK costs ~8 MiB.
  const started =
    config.admin === undefined && otlp === undefined
      ? undefined
      : await (await import('./metrics/start-metrics.ts')).startMetrics({
          version: PROXY_VERSION,
          instanceId: `${hostname()}/${process.pid}`,
          scheme,
          otlp,
          log,
          telemetry: () => ({
            ...telemetry.counters,
            queueDepth: telemetry.queueDepth,
            queueCapacity: telemetry.queueCapacity,
            spoolBytes: telemetry.spoolBytes,
            spoolEvents: telemetry.spoolEvents,
          }),
        });
  const metrics = started?.metrics;
  // With `sink: none` no event is even built: telemetry off costs nothing on the request path.
  const recorder =
    config.telemetry.sink === 'none'
      ? undefined
      : new RequestEventRecorder(
          telemetry,
          { name: 'lookout-proxy', version: PROXY_VERSION, nodeName: hostname(), ...(process.env.LOOKOUT_ENVIRONMENT ? { environment: process.env.LOOKOUT_ENVIRONMENT } : {}) },
          createQueryRedactor(config.telemetry.redactQueryParams),
          scheme,
        );
  const proxy = new ProxyServer({ config, log, metrics, recorder, ...(tls !== undefined && { tls }) });
  if (tls !== undefined) log.info(tlsFacts(tls), 'TLS certificate loaded');
  // Renewed certificate files are served without a reload (listen.tls.watchInterval).
  const certificates = new CertificateWatcher(config, configFile, log, (renewed) => proxy.setTlsCredentials(renewed));
  certificates.start();
  const apply = applyReload(proxy, configFile, certificates);
  const reload = async (): Promise<void> => {
    try {
      await apply();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  };
  const stop = async (): Promise<void> => {
    await proxy.shutdown();
    // After the drain: every request has left its event; deliver or spool them all.
    await telemetry.close();
    await metrics?.shutdown();
    process.exit(0);
  };
  if (config.admin !== undefined) {
    await startAdmin(config, proxy, cluster.isWorker ? requestClusterReload : apply, cluster.isWorker ? switchInCluster(proxy) : switchHere(proxy), started?.scrape);
  }
  // Handlers first: a signal that arrives while the listener binds is not lost.
  process.on('SIGHUP', () => void reload());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('message', (message) => {
    if (message === 'reload') void reload();
    if (message === 'shutdown') void stop();
    if (isColorSwitchMessage(message)) applyClusterSwitch(proxy, message);
  });
  // A worker started after a blue/green switch (e.g. replacing a crashed one) catches up.
  if (cluster.isWorker) process.send?.('switches?');
  const address = await proxy.listen();
  log.info({ ...address, config: configFile, services: config.services.map((s) => s.name) }, 'listening');
}

/** Reads the config file and swaps it in; throws ConfigError when it is invalid. */
function applyReload(proxy: ProxyServer, configFile: string, certificates: CertificateWatcher): () => Promise<void> {
  return async () => {
    log.info({ config: configFile }, 'reloading config');
    try {
      const config = await loadConfigFile(configFile);
      // A certificate that cannot be served rejects the whole reload, like an invalid config.
      await proxy.reload(config, loadTlsCredentials(config, configFile));
      certificates.reset(config);
    } catch (error) {
      if (error instanceof ConfigError) {
        log.error({ code: error.code, file: error.file, problems: error.problems }, `config reload rejected, keeping the running config: ${error.message}`);
      }
      throw error;
    }
  };
}

/** In a worker, an admin reload asks the primary, which validates once and tells every worker. */
async function requestClusterReload(): Promise<void> {
  process.send?.('reload-all');
}

/** A blue/green switch relayed between the workers of a cluster (through the primary). */
interface ColorSwitchMessage {
  readonly type: 'lookout:switch-color';
  readonly service: string;
  readonly color: PoolColor;
  /** The colour the config file named when the switch was made: a worker whose file names another one ignores it. */
  readonly configured: PoolColor;
}

function isColorSwitchMessage(message: unknown): message is ColorSwitchMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'lookout:switch-color';
}

type SwitchColor = (service: string, color: PoolColor, force: boolean) => Promise<ColorSwitchResult>;

function switchHere(proxy: ProxyServer): SwitchColor {
  return async (service, color, force) => proxy.switchColor(service, color, force);
}

/** In a worker: switch here (answering refusals), then have the primary switch every worker. */
function switchInCluster(proxy: ProxyServer): SwitchColor {
  return async (service, color, force) => {
    const result = proxy.switchColor(service, color, force);
    const message: ColorSwitchMessage = { type: 'lookout:switch-color', service, color, configured: result.blueGreen.configured };
    process.send?.(message);
    return result;
  };
}

/** A switch decided by another worker (already checked there): applied without the health refusal. */
function applyClusterSwitch(proxy: ProxyServer, message: ColorSwitchMessage): void {
  const service = proxy.state.runtime.service(message.service);
  if (service?.config.blueGreen?.active !== message.configured) return;
  service.switchColor(message.color, { force: true });
}

async function startAdmin(
  config: ProxyConfig,
  proxy: ProxyServer,
  reload: () => Promise<void>,
  switchColor: SwitchColor,
  scrape: StartedMetrics['scrape'] | undefined,
): Promise<void> {
  const admin = config.admin!;
  const token = admin.tokenFile !== undefined ? (await readFile(admin.tokenFile, 'utf8')).trim() : process.env.LOOKOUT_ADMIN_TOKEN;
  const app = createAdminApp({
    state: proxy.state,
    reload,
    switchColor,
    ...(scrape ? { scrape } : {}),
    token: token ? Buffer.from(token) : undefined,
  });
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(admin.port, admin.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  log.info({ host: address.address, port: address.port, token: token ? 'configured' : 'absent' }, 'admin listening');
}

/**
 * Cluster primary: keeps `count` workers serving, relays reload, shutdown and blue/green
 * switches to them. It remembers the switches, so a worker started later (after a crash)
 * serves the same colours as the others.
 */
function runPrimary(configFile: string, count: number): void {
  let stopping = false;
  const switches = new Map<string, ColorSwitchMessage>();
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ worker: worker.id, code, signal }, 'worker exited, starting a new one');
    cluster.fork();
  });
  const broadcast = (message: string | ColorSwitchMessage): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send(message);
  };
  const reloadAll = (): void => {
    // Validate once here (config and certificate) so an invalid file is reported once, not by every worker.
    loadConfigFile(configFile)
      .then((config) => {
        loadTlsCredentials(config, configFile);
        return config;
      })
      .then(
        (config) => {
          // A switch no longer applies once the file names another colour than when it was made.
          for (const [name, message] of switches) {
            if (config.services.find((service) => service.name === name)?.blueGreen?.active !== message.configured) switches.delete(name);
          }
          broadcast('reload');
        },
        (error: unknown) => {
          if (!(error instanceof ConfigError)) throw error;
          log.error({ code: error.code, file: error.file, problems: error.problems }, `config reload rejected, keeping the running config: ${error.message}`);
        },
      );
  };
  process.on('SIGHUP', reloadAll);
  cluster.on('message', (worker, message) => {
    if (message === 'reload-all') reloadAll();
    if (message === 'switches?') for (const current of switches.values()) worker.send(current);
    if (isColorSwitchMessage(message)) {
      switches.set(message.service, message);
      broadcast(message);
    }
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    broadcast('shutdown');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  log.info({ workers: count, config: configFile }, 'primary started');
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'proxy failed to start');
  process.exit(1);
});
