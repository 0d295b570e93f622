import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '../../../echo-upstream/src/spawn-echo-upstream.ts';
import { spawnProxy, type SpawnedProxy } from '../../../proxy/test/spawn-proxy.ts';
import { spawnSloEngine, type SpawnedSloEngine } from '../../../slo-engine/test/spawn-slo-engine.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../slo-engine/test/webhook-receiver.ts';
import { FaultRelay } from './fault-relay.ts';
import { scrapePrometheus } from '../audit/prometheus-scrape.ts';
import { TELEMETRY_METRICS } from './proxy-metric-names.ts';

const WEBHOOK_SECRET = `whsec_${Buffer.from('lookout hardening fault matrix secret').toString('base64')}`;
const SECRET_ENV = 'HARDENING_WEBHOOK_SECRET';

/** The host every scenario's traffic is routed by. */
export const SHOP_HOST = 'shop.test';

export interface FaultStackOptions {
  /** Elasticsearch for telemetry and the engine's events. */
  readonly esUrl: string;
  /** Write alias of the request events (shared by the run; services keep scenarios apart). */
  readonly index: string;
  /** Service name of this scenario: its events and SLO are its own. */
  readonly service: string;
  /** Extra CLI flags of each echo member; its length is the member count. */
  readonly members: readonly (readonly string[])[];
  /** Members reached through a {@link FaultRelay} (by index), so their fault can be switched live. */
  readonly relayed?: readonly number[];
  /** The SLO spec the engine runs; none starts no engine. */
  readonly slos?: readonly Record<string, unknown>[];
  /** Merged over the service's config (timeouts, retries, health check ...). */
  readonly serviceOverrides?: Record<string, unknown>;
  /** Merged over the proxy config's top level. */
  readonly proxyOverrides?: Record<string, unknown>;
  /** Run the proxy bundle with its production flags (see `spawnProxy`), built beforehand by the caller. */
  readonly proxyBundle?: boolean;
}

/** Proxy, echo members, webhook receiver and slo-engine for one scenario, all real processes. */
export interface FaultStack {
  readonly dir: string;
  readonly service: string;
  readonly members: SpawnedEchoUpstream[];
  /** Relays in front of the members listed in `relayed`, by member index. */
  readonly relays: ReadonlyMap<number, FaultRelay>;
  readonly proxy: SpawnedProxy;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly receiver: WebhookReceiver;
  readonly engine: SpawnedSloEngine | undefined;
  /** The proxy config object as last written. */
  proxyConfig(): Record<string, unknown>;
  /** Starts member `index` again on its old port, with `args` (default: its first flags). */
  restartMember(index: number, args?: readonly string[]): Promise<SpawnedEchoUpstream>;
  /** Starts the proxy again on the same port, spool directory and config. */
  restartProxy(): Promise<SpawnedProxy>;
  /** Starts the engine again on the same directory (state file) and spec. */
  restartEngine(): Promise<SpawnedSloEngine>;
  /** Waits until the proxy's telemetry holds nothing (queue and spool empty, emitted = delivered + dropped). */
  waitForTelemetryDrained(timeoutMs: number): Promise<TelemetrySnapshot>;
  /** Everything stopped (SIGTERM; the receiver closed). */
  stop(): Promise<void>;
}

/** The proxy's telemetry counters at one moment. */
export interface TelemetrySnapshot {
  readonly emitted: number;
  readonly delivered: number;
  readonly spooled: number;
  readonly replayed: number;
  readonly dropped: number;
  readonly queueDepth: number;
  readonly spoolEvents: number;
}

/** Reads the telemetry counters from an admin API's /metrics. */
export async function telemetrySnapshot(adminUrl: string): Promise<TelemetrySnapshot> {
  const samples = await scrapePrometheus(`${adminUrl}/metrics`);
  const read = (name: string): number => samples.sum(name) ?? 0;
  return {
    emitted: read(TELEMETRY_METRICS.emitted),
    delivered: read(TELEMETRY_METRICS.delivered),
    spooled: read(TELEMETRY_METRICS.spooled),
    replayed: read(TELEMETRY_METRICS.replayed),
    dropped: read(TELEMETRY_METRICS.dropped),
    queueDepth: read(TELEMETRY_METRICS.queueDepth),
    spoolEvents: read(TELEMETRY_METRICS.spoolEvents),
  };
}

/** Starts the members, the proxy (telemetry to `esUrl` with a disk spool), the receiver and the engine. */
export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const dir = mkdtempSync(join(tmpdir(), `lookout-hardening-${options.service}-`));
  const spoolDir = join(dir, 'spool');
  mkdirSync(spoolDir);
  const members: SpawnedEchoUpstream[] = [];
  const memberArgs = options.members.map((args) => [...args]);
  for (const [index, args] of memberArgs.entries()) members.push(await spawnEchoUpstream({ name: `${options.service}-${index + 1}`, args }));
  const relays = new Map<number, FaultRelay>();
  for (const index of options.relayed ?? []) relays.set(index, await FaultRelay.start(members[index]!.url));

  let config: Record<string, unknown> = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    drain: { delay: '0s', timeout: '10s' },
    services: [
      {
        name: options.service,
        hosts: [SHOP_HOST],
        upstreams: members.map((member, index) => ({ url: relays.get(index)?.url ?? member.url })),
        healthCheck: { path: '/health', interval: '1s', timeout: '500ms', healthyThreshold: 2, unhealthyThreshold: 2 },
        retries: { attempts: 2 },
        timeouts: { connect: '500ms', headers: '2s' },
        outlierDetection: { consecutiveFailures: 3, baseEjection: '10s' },
        ...options.serviceOverrides,
      },
    ],
    telemetry: {
      sink: 'elasticsearch',
      elasticsearch: { node: options.esUrl, index: options.index, flushInterval: '250ms', requestTimeout: '5s', connectTimeout: '1s', backoff: { min: '250ms', max: '2s' } },
      spool: { directory: spoolDir, fsyncInterval: '1s' },
      closeTimeout: '5s',
    },
    ...options.proxyOverrides,
  };

  const launchProxy = async (): Promise<{ proxy: SpawnedProxy; adminUrl: string }> => {
    const proxy = await spawnProxy(config, { bundle: options.proxyBundle === true });
    const admin = await proxy.waitForLog((line) => line.msg === 'admin listening', 20_000);
    return { proxy, adminUrl: `http://127.0.0.1:${admin.port as number}` };
  };
  let { proxy, adminUrl } = await launchProxy();
  // Restarts keep the port clients use; the admin port may change (the URL is re-read).
  config = { ...config, listen: { host: '127.0.0.1', port: proxy.port } };

  const receiver = await startWebhookReceiver({ secrets: WEBHOOK_SECRET });
  const engineDir = join(dir, 'engine');
  mkdirSync(engineDir);
  const engineConfig = {
    instance: `engine-${options.service}`,
    tick: '1s',
    lease: { ttl: '3s' },
    events: { type: 'elasticsearch', node: options.esUrl, index: options.index, requestTimeout: '5s' },
    state: { type: 'sqlite', path: join(engineDir, 'engine.sqlite') },
    outputs: { elasticsearch: false },
    webhooks: [{ name: 'oncall', url: receiver.url, secretEnv: SECRET_ENV }],
    delivery: { initialBackoff: '1s', maxBackoff: '2s' },
  };
  const spec = { slos: options.slos ?? [] };
  const launchEngine = (): Promise<SpawnedSloEngine> => spawnSloEngine(engineConfig, spec, { dir: engineDir, env: { [SECRET_ENV]: WEBHOOK_SECRET } });
  let engine = options.slos === undefined ? undefined : await launchEngine();

  const stack: FaultStack = {
    dir,
    service: options.service,
    members,
    relays,
    get proxy() {
      return proxy;
    },
    proxyUrl: `http://127.0.0.1:${proxy.port}`,
    get adminUrl() {
      return adminUrl;
    },
    receiver,
    get engine() {
      return engine;
    },
    proxyConfig: () => config,
    async restartMember(index, args) {
      const old = members[index]!;
      await old.kill();
      members[index] = await spawnEchoUpstream({ name: old.name, port: old.port, args: args ?? memberArgs[index] });
      return members[index];
    },
    async restartProxy() {
      ({ proxy, adminUrl } = await launchProxy());
      return proxy;
    },
    async restartEngine() {
      engine = await launchEngine();
      return engine;
    },
    async waitForTelemetryDrained(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: TelemetrySnapshot | undefined;
      while (Date.now() < deadline) {
        last = await telemetrySnapshot(adminUrl).catch(() => last);
        if (last !== undefined && last.queueDepth === 0 && last.spoolEvents === 0 && last.emitted === last.delivered + last.dropped) return last;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`HARDENING_TELEMETRY_NOT_DRAINED: the proxy's telemetry still held events after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    },
    async stop() {
      await engine?.stop();
      await proxy.stop();
      for (const member of members) await member.stop();
      await receiver.close();
      for (const relay of relays.values()) await relay.close();
    },
  };
  return stack;
}
