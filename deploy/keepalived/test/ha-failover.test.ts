import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkLab, type LabHost, type LabProcess } from './network-lab.ts';
import type { ClientRecord } from './steady-client.ts';

// The HA drill of deploy/keepalived: two proxy hosts and a client in network namespaces made
// here, on a private 10.213.7.0/24 bridge; keepalived (Debian's) moves the virtual IP.
const KEEPALIVED_DIR = resolve(import.meta.dirname, '..');
const REPO = resolve(KEEPALIVED_DIR, '../..');
const SUBNET_PREFIX = 24;
const ADDRESSES = { a: '10.213.7.11', b: '10.213.7.12', client: '10.213.7.20' } as const;
const VIP = '10.213.7.100';
const PROXY_PORT = 8080;
const APP_HOST = 'app.ha.test';
/** Seconds the primary waits before taking the VIP back (primary.env ships 60; short here). */
const PREEMPT_DELAY_S = 4;
/** The Must-show bound on client-visible failover. */
const FAILOVER_BOUND_MS = 3_000;
const CLIENT_INTERVAL_MS = 50;
const CLIENT_TIMEOUT_MS = 1_000;
/** The virtual router id both hosts share (each lab is a network of its own, so any id works). */
const VRID = 51;

const missing = missingPrerequisites();
const inCi = process.env.CI === 'true';
if (missing.length > 0 && !inCi) console.warn(`keepalived HA test skipped: ${missing.join('; ')} (with CI=true this fails)`);

let lab: NetworkLab | undefined;
let workDir: string | undefined;
let passed = false;
afterAll(async () => {
  await lab?.destroy();
  if (workDir === undefined) return;
  // The logs of a failed drill (proxies, echoes, keepalived, client, transitions) are kept.
  if (passed) rmSync(workDir, { recursive: true, force: true });
  else console.error(`keepalived HA drill failed: logs kept in ${workDir}`);
});

describe.skipIf(missing.length > 0 && !inCi)('keepalived active/passive failover', () => {
  it('moves the VIP to the backup within 3 s when the active proxy dies, keeps serving, and takes it back after the preempt delay', async () => {
    if (missing.length > 0) throw new Error(`HA test prerequisites missing: ${missing.join('; ')}`);
    lab = NetworkLab.create(ADDRESSES, SUBNET_PREFIX);
    // keepalived runs scripts only from paths no other user can write: not under /tmp.
    workDir = mkdtempSync('/run/lookout-ha-');
    chmodSync(workDir, 0o755);
    for (const script of ['check-proxy.sh', 'notify.sh']) {
      copyFileSync(join(KEEPALIVED_DIR, script), join(workDir, script));
      chmodSync(join(workDir, script), 0o755);
    }
    const a = lab.host('a');
    const b = lab.host('b');
    const client = lab.host('client');

    const nodes = { a: startNode(lab, workDir, a), b: startNode(lab, workDir, b) };
    await Promise.all([waitHealthy(lab, workDir, a), waitHealthy(lab, workDir, b)]);
    const keepalived = {
      a: startKeepalived(lab, workDir, a, { PRIORITY: '150', PEER_IP: ADDRESSES.b, PREEMPT_DELAY: String(PREEMPT_DELAY_S) }),
      b: startKeepalived(lab, workDir, b, { PRIORITY: '100', PEER_IP: ADDRESSES.a, PREEMPT_DELAY: '0' }),
    };
    const vip = new VipWatch(lab, [a, b]);
    try {
      await vip.waitFor('a', 20_000, keepalived);

      // Steady traffic to the VIP from the client namespace.
      const records: ClientRecord[] = [];
      const clientProcess = startClient(lab, workDir, client, records);
      await waitUntil(() => records.filter((r) => r.instance === 'echo-a').length >= 30, 'steady traffic served by the primary', 10_000);

      // Failover: kill the active proxy.
      const killedAt = Date.now();
      nodes.a.proxy.child.kill('SIGKILL');
      await vip.waitFor('b', 10_000, keepalived);
      await waitUntil(() => records.some((r) => r.start >= killedAt && r.instance === 'echo-b'), 'first answer from the backup', 10_000);
      const firstOnB = Math.min(...records.filter((r) => r.start >= killedAt && r.instance === 'echo-b').map((r) => r.end));
      await sleep(3_000);
      const failoverEnd = Date.now();

      // The old active returns: the primary takes the VIP back only after its preempt delay.
      nodes.a.proxy = startProxy(lab, workDir, a);
      await waitHealthy(lab, workDir, a);
      const healthyAgainAt = Date.now();
      await vip.waitFor('a', (PREEMPT_DELAY_S + 10) * 1_000, keepalived);
      await sleep(3_000);
      clientProcess.child.kill('SIGTERM');
      await clientProcess.exited;
      const done = Date.now();

      // --- measurements -----------------------------------------------------------------
      const vipOnB = vip.firstSince('b', killedAt)!;
      const vipBackOnA = vip.firstSince('a', healthyAgainAt)!;
      const failed = records.filter((r) => r.status !== 200);
      const duringFailover = failed.filter((r) => r.start >= killedAt - CLIENT_TIMEOUT_MS && r.start < failoverEnd);
      const duringFailback = failed.filter((r) => r.start >= healthyAgainAt && r.start < done);
      const clientVisibleMs = firstOnB - killedAt;
      const summary = [
        `keepalived HA drill (advert_int 1; check every 1 s, fall 1 -> FAULT, rise 2; preempt_delay ${PREEMPT_DELAY_S} s on the primary):`,
        `  requests: ${records.length} at one per ${CLIENT_INTERVAL_MS} ms, ${failed.length} failed`,
        `  failover: VIP on the backup ${vipOnB - killedAt} ms after the kill; first answer from the backup ${clientVisibleMs} ms after it`,
        `  failed during failover: ${duringFailover.length} ${describeFailures(duringFailover, killedAt)}`,
        `  failback: primary healthy again, VIP back on it ${vipBackOnA - healthyAgainAt} ms later; failed during failback: ${duringFailback.length} ${describeFailures(duringFailback, healthyAgainAt)}`,
        `  VIP timeline: ${vip.describe(killedAt)}`,
      ].join('\n');
      console.log(summary);

      expect(vipOnB - killedAt).toBeLessThan(FAILOVER_BOUND_MS);
      expect(clientVisibleMs).toBeLessThan(FAILOVER_BOUND_MS);
      // Only requests in the failover and failback windows may fail; traffic continues between.
      expect(failed.filter((r) => !duringFailover.includes(r) && !duringFailback.includes(r))).toEqual([]);
      const servedByBackup = records.filter((r) => r.start > firstOnB + 100 && r.end < healthyAgainAt);
      expect(servedByBackup.length).toBeGreaterThan(40);
      expect(servedByBackup.filter((r) => r.status !== 200 || r.instance !== 'echo-b')).toEqual([]);
      // Preemption policy: no failback before the delay, then back to the primary.
      expect(vipBackOnA - healthyAgainAt).toBeGreaterThanOrEqual(PREEMPT_DELAY_S * 1_000);
      expect(vip.holdersAt(done)).toEqual(['a']);
      const afterFailback = records.filter((r) => r.start > vipBackOnA + 500);
      expect(afterFailback.length).toBeGreaterThan(20);
      expect(afterFailback.filter((r) => r.status !== 200 || r.instance !== 'echo-a')).toEqual([]);

      // The notify script logged each transition with a timestamp.
      const transitions = (host: string) => readFileSync(join(workDir!, `${host}-transitions.log`), 'utf8').trim().split('\n');
      for (const line of [...transitions('a'), ...transitions('b')]) {
        expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z host=\S+ instance=LOOKOUT_VIP state=(MASTER|BACKUP|FAULT|STOP) priority=\d+$/);
      }
      // The primary: MASTER, FAULT when its proxy died, BACKUP once healthy, MASTER after the delay.
      expect(lastStates(transitions('a'), 4)).toEqual(['MASTER', 'FAULT', 'BACKUP', 'MASTER']);
      expect(lastStates(transitions('b'), 2)).toEqual(['MASTER', 'BACKUP']);
      passed = true;
    } finally {
      vip.stop();
    }
  }, 120_000);
});

// --- the nodes ------------------------------------------------------------------------------

interface ProxyNode {
  proxy: LabProcess;
  readonly echo: LabProcess;
}

function startNode(lab: NetworkLab, dir: string, host: LabHost): ProxyNode {
  const echo = lab.spawn(
    host,
    process.execPath,
    [join(REPO, 'echo-upstream/src/main.ts'), '--host', '127.0.0.1', '--port', '9001', '--name', `echo-${host.name}`],
    join(dir, `${host.name}-echo.log`),
  );
  writeFileSync(
    join(dir, `${host.name}-proxy.yaml`),
    JSON.stringify({
      listen: { host: '0.0.0.0', port: PROXY_PORT },
      drain: { timeout: '2s' },
      services: [{ name: 'app', hosts: [APP_HOST], upstreams: [{ url: 'http://127.0.0.1:9001' }], retries: { attempts: 1 } }],
      telemetry: { sink: 'none' },
    }),
  );
  return { echo, proxy: startProxy(lab, dir, host) };
}

function startProxy(lab: NetworkLab, dir: string, host: LabHost): LabProcess {
  return lab.spawn(host, process.execPath, [join(REPO, 'proxy/src/main.ts'), '--config', join(dir, `${host.name}-proxy.yaml`)], join(dir, `${host.name}-proxy.log`));
}

/** Waits until the node's proxy passes the very check keepalived runs (and its echo answers). */
async function waitHealthy(lab: NetworkLab, dir: string, host: LabHost): Promise<void> {
  const check = join(dir, 'check-proxy.sh');
  await waitUntil(() => lab.status(host, check, [`http://127.0.0.1:${PROXY_PORT}/health`]) === 0, `proxy on ${host.name} healthy`, 20_000);
  await waitUntil(
    () => lab.status(host, 'curl', ['-sf', '-o', '/dev/null', '--max-time', '1', '-H', `host: ${APP_HOST}`, `http://127.0.0.1:${PROXY_PORT}/`]) === 0,
    `proxy on ${host.name} forwarding`,
    20_000,
  );
}

function startKeepalived(lab: NetworkLab, dir: string, host: LabHost, settings: { PRIORITY: string; PEER_IP: string; PREEMPT_DELAY: string }): LabProcess {
  const env = {
    ROUTER_ID: `lookout-${host.name}`,
    INTERFACE: 'eth0',
    SELF_IP: host.ip,
    VIP,
    VIP_PREFIX: String(SUBNET_PREFIX),
    VRID: String(VRID),
    HEALTH_URL: `http://127.0.0.1:${PROXY_PORT}/health`,
    SCRIPT_DIR: dir,
    SCRIPT_USER: 'root',
    NOTIFY_LOG: join(dir, `${host.name}-transitions.log`),
    ...settings,
  };
  const settingsFile = join(dir, `${host.name}.env`);
  writeFileSync(settingsFile, Object.entries(env).map(([key, value]) => `${key}=${value}\n`).join(''));
  const conf = execFileSync(join(KEEPALIVED_DIR, 'render-keepalived-conf.sh'), [settingsFile], { encoding: 'utf8' });
  const confFile = join(dir, `${host.name}-keepalived.conf`);
  writeFileSync(confFile, conf);
  return lab.spawn(
    host,
    '/usr/sbin/keepalived',
    [
      '--dont-fork', '--log-console', '--log-detail', '--no-syslog', '--vrrp',
      '--use-file', confFile,
      '--pid', join(dir, `${host.name}-keepalived.pid`),
      '--vrrp_pid', join(dir, `${host.name}-vrrp.pid`),
    ],
    join(dir, `${host.name}-keepalived.log`),
  );
}

function startClient(lab: NetworkLab, dir: string, host: LabHost, records: ClientRecord[]): LabProcess {
  let buffered = '';
  return lab.spawn(
    host,
    process.execPath,
    [join(KEEPALIVED_DIR, 'test/steady-client.ts'), `http://${VIP}:${PROXY_PORT}/`, APP_HOST, String(CLIENT_INTERVAL_MS), String(CLIENT_TIMEOUT_MS), '90000'],
    join(dir, 'client.log'),
    {
      onStdout: (chunk) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.startsWith('{')) records.push(JSON.parse(line) as ClientRecord);
        }
      },
    },
  );
}

// --- observing the VIP ----------------------------------------------------------------------

/** Samples which hosts hold the VIP every 50 ms and keeps the changes with their time. */
class VipWatch {
  readonly #lab: NetworkLab;
  readonly #hosts: readonly LabHost[];
  readonly #changes: { at: number; holders: string[] }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(lab: NetworkLab, hosts: readonly LabHost[]) {
    this.#lab = lab;
    this.#hosts = hosts;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 50);
  }

  /** Waits until `name` alone holds the VIP; on timeout the error carries keepalived's logs. */
  async waitFor(name: string, timeoutMs: number, keepalived: Record<string, LabProcess>): Promise<void> {
    try {
      await waitUntil(() => this.#sample().join() === name, `VIP on ${name} only`, timeoutMs);
    } catch (error) {
      const logs = Object.entries(keepalived).map(([host, p]) => `--- keepalived ${host}:\n${tail(p.logFile)}`);
      throw new Error(`${(error as Error).message}; VIP timeline: ${this.describe(0)}\n${logs.join('\n')}`);
    }
  }

  /** When `name` started to hold the VIP, first time at or after `since`. */
  firstSince(name: string, since: number): number | undefined {
    return this.#changes.find((change) => change.at >= since && change.holders.includes(name))?.at;
  }

  holdersAt(at: number): string[] {
    return this.#changes.filter((change) => change.at <= at).at(-1)?.holders ?? [];
  }

  describe(origin: number): string {
    return this.#changes.map((change) => `${origin === 0 ? new Date(change.at).toISOString() : `${change.at - origin >= 0 ? '+' : ''}${change.at - origin} ms`}: [${change.holders.join(',')}]`).join(', ');
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sample(): string[] {
    const holders = this.#hosts.filter((host) => this.#lab.hasAddress(host, VIP)).map((host) => host.name);
    const last = this.#changes.at(-1);
    if (last === undefined || last.holders.join() !== holders.join()) this.#changes.push({ at: Date.now(), holders });
    return holders;
  }
}

// --- small helpers --------------------------------------------------------------------------

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('not root (network namespaces and keepalived need root)');
  if (!existsSync('/usr/sbin/keepalived')) missing.push('keepalived is not installed at /usr/sbin/keepalived (Debian package "keepalived")');
  for (const tool of ['ip', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) missing.push(`"${tool}" is not on PATH`);
  }
  if (missing.length === 0) {
    const probe = `lkha-probe-${randomBytes(3).toString('hex')}`;
    const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
    if (added.status !== 0) missing.push(`cannot create network namespaces: ${(added.stderr ?? '').trim()}`);
    else spawnSync('ip', ['netns', 'del', probe]);
  }
  return missing;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs} ms: ${what}`);
    await sleep(25);
  }
}

function describeFailures(failed: readonly ClientRecord[], origin: number): string {
  if (failed.length === 0) return '';
  const reasons = new Map<string, number>();
  for (const r of failed) reasons.set(r.error ?? `status ${r.status}`, (reasons.get(r.error ?? `status ${r.status}`) ?? 0) + 1);
  const span = `started +${Math.min(...failed.map((r) => r.start)) - origin}..+${Math.max(...failed.map((r) => r.start)) - origin} ms`;
  return `(${[...reasons].map(([reason, count]) => `${reason} x${count}`).join(', ')}; ${span})`;
}

/** The last `count` states logged (the final STOP comes later, when the lab is torn down). */
function lastStates(lines: readonly string[], count: number): string[] {
  return lines.map((line) => /state=(\w+)/.exec(line)?.[1] ?? '').slice(-count);
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
}
