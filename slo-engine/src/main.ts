#!/usr/bin/env node
// The SLO engine service: `node slo-engine/src/main.ts --config FILE` (or SLO_ENGINE_CONFIG).
// Evaluates the SLOs of the spec every tick, notifies owners, serves the API, /metrics and the
// live dashboard. SIGHUP reloads the SLO spec; SIGTERM/SIGINT stop after the running tick.
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { ConfigFileError } from '@lookout/config-file';
import { createLogger } from '@lookout/log';
import { createEngineApi } from './api/engine-api.ts';
import { deliveryMetrics } from './api/delivery-metrics.ts';
import { rollupReconcileMetrics } from './api/rollup-reconcile-metrics.ts';
import { createDashboardRoutes } from './dashboard/dashboard-routes.ts';
import { loadEngineConfig, loadSloSpecFile } from './config/engine-config.ts';
import { EngineError } from './engine-error.ts';
import { EvaluationLoop } from './engine/evaluation-loop.ts';
import { RollupReconciler } from './engine/rollup-reconciler.ts';
import { SloEngine } from './engine/slo-engine.ts';
import { watchUnknownTargets } from './engine/watch-unknown-targets.ts';
import { openStores } from './engine/open-stores.ts';
import { createNotifiers } from './notify/create-notifiers.ts';
import { DeliveryDispatcher } from './notify/delivery-dispatcher.ts';
import { resolveNotifiersConfig, recipientDirectory } from './notify/notifiers-config.ts';
import { checkOwners, createDeliveries } from './notify/recipients.ts';
import { parseDuration } from './spec/duration.ts';

const log = createLogger('lookout-slo-engine');

function fail(error: unknown): never {
  const coded = error as { code?: string; message?: string };
  process.stderr.write(`slo-engine: ${coded.message ?? String(error)}\n`);
  log.fatal({ code: coded.code ?? 'SLO_ENGINE_START_FAILED', err: error as Error }, 'slo-engine: cannot start');
  process.exit(error instanceof ConfigFileError || (error instanceof EngineError && error.code === 'SLO_ENGINE_CONFIG_INVALID') || coded.code === 'SLO_NOTIFY_UNKNOWN_RECIPIENT' ? 2 : 1);
}

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, strict: true });
const configFile = values.config ?? process.env.SLO_ENGINE_CONFIG;
if (configFile === undefined) {
  process.stderr.write('usage: slo-engine --config FILE   (or SLO_ENGINE_CONFIG=FILE)\n');
  process.exit(2);
}

const loaded = await loadEngineConfig(configFile).catch(fail);
const { config } = loaded;
const ms = (text: string): number => parseDuration(text) ?? 0;
const tickMs = ms(config.tick);
const instance = config.instance ?? `${hostname()}-${process.pid}`;

let resolvedNotifiers;
try {
  resolvedNotifiers = resolveNotifiersConfig(config, { baseDir: dirname(configFile), file: configFile });
  checkOwners(loaded.slos, recipientDirectory(resolvedNotifiers));
} catch (error) {
  fail(error);
}
const directory = recipientDirectory(resolvedNotifiers);

const stores = await openStores(config, { instance, settleMs: ms(config.settle), log }).catch(fail);
// Links in notifications: the configured base URL, else the address listened on (known once listening).
const links = { baseUrl: config.links.baseUrl ?? '', dashboard: config.links.dashboard ?? '' };
const notifiers = createNotifiers(resolvedNotifiers, { ...(config.links.baseUrl !== undefined && { externalUrl: config.links.baseUrl }) });
const dispatcher = new DeliveryDispatcher({
  store: stores.engineStore,
  notifiers: notifiers.notifiers,
  holder: instance,
  retry: resolvedNotifiers.retry,
  concurrency: resolvedNotifiers.concurrency,
  perTargetConcurrency: resolvedNotifiers.perTargetConcurrency,
  logger: log,
});

const engine = new SloEngine({
  slos: loaded.slos,
  source: stores.source,
  countBudget: stores.countBudget,
  store: stores.engineStore,
  instance,
  leaseTtlMs: config.lease.ttl !== undefined ? ms(config.lease.ttl) : Math.max(3 * tickMs, 15_000),
  links,
  planDeliveries: (slo, notification, now) => {
    const { deliveries, problems } = createDeliveries(notification, slo.owners, directory, now);
    for (const problem of problems) log.error({ code: problem.code, slo: slo.name, ...problem.details }, problem.message);
    return deliveries;
  },
  ...(stores.publisher && { publisher: stores.publisher }),
  log,
});
const loop = new EvaluationLoop(engine, tickMs, log, { afterTick: (report) => report.notifications > 0 && dispatcher.wake() });
const unknownTargets = watchUnknownTargets(engine, stores.source, log);
const reconciler = new RollupReconciler({ reconcile: stores.reconcileRollups, everyMs: ms(config.reconcile.every), horizonMs: ms(config.reconcile.horizon), leader: () => engine.leader, log });

let dashboard;
try {
  dashboard = createDashboardRoutes({ traffic: stores.traffic });
} catch (error) {
  fail(error);
}
const api = createEngineApi({ engine, loop, store: stores.engineStore, instance, metrics: [() => deliveryMetrics(dispatcher), () => rollupReconcileMetrics(reconciler)], unknownTargets, dashboard });
const server = serve({ fetch: api.fetch, hostname: config.listen.host, port: config.listen.port }, (info) => {
  if (links.baseUrl === '') links.baseUrl = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
  if (links.dashboard === '') links.dashboard = `${links.baseUrl}/`;
  void start();
  log.info(
    { instance, address: `http://${info.address}:${info.port}`, slos: loaded.slos.length, events: stores.source.location, state: stores.stateLocation, tickMs },
    `slo-engine: ${loaded.slos.length} SLOs from ${loaded.specFile}, events from ${stores.source.location}, listening on http://${info.address}:${info.port}`,
  );
});
server.on('error', (error) => fail(new EngineError('SLO_ENGINE_CONFIG_INVALID', `cannot listen on ${config.listen.host}:${config.listen.port}: ${error.message}`, { listen: config.listen })));

/** Starts evaluating once the address (for links) is known. */
async function start(): Promise<void> {
  await stores.retain(loaded.slos, Date.now()).catch((error: unknown) => log.warn({ code: (error as { code?: string }).code, err: error as Error }, `slo-engine: preparing rollups failed, they are built at the first tick: ${(error as Error).message}`));
  loop.start();
  dispatcher.start();
  unknownTargets.start();
  reconciler.start();
}

process.on('SIGHUP', () => {
  loadSloSpecFile(loaded.specFile).then(
    (slos) => {
      checkOwners(slos, directory);
      engine.setSlos(slos);
      void stores.retain(slos, Date.now()).catch(() => undefined);
      log.info({ slos: slos.length, file: loaded.specFile }, `slo-engine: reloaded ${slos.length} SLOs`);
      void loop.runOnce();
    },
  ).catch((error: unknown) => log.error({ code: (error as { code?: string }).code, err: error as Error }, `slo-engine: reload rejected, the previous SLOs stay: ${(error as Error).message}`));
});

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'slo-engine: stopping');
  unknownTargets.stop();
  await loop.stop();
  await reconciler.stop();
  await dispatcher.stop();
  await engine.release().catch(() => undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await notifiers.close();
  await stores.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
