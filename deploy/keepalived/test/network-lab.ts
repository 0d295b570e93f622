import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';

/** A host of the lab: its own network namespace with `eth0` on the lab's bridge. */
export interface LabHost {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
}

/** A process started in a lab host, its output kept in a file. */
export interface LabProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
}

/**
 * A private network for HA tests, made of network namespaces only: one namespace holds a bridge
 * (`br0`), and each host namespace is wired to it by a veth pair whose host end is `eth0`.
 * Nothing is created in the caller's namespace, so the lab's addresses and traffic are visible
 * nowhere else, and two labs (same addresses) can even run at once.
 *
 * `destroy()` (also run on process exit) stops every process started through `spawn`, then any
 * process left in the lab's namespaces, then deletes the namespaces, which removes every link.
 */
export class NetworkLab {
  readonly id: string;
  readonly hosts: readonly LabHost[];
  readonly #bridgeNetns: string;
  readonly #netnsCreated: string[] = [];
  readonly #processes: LabProcess[] = [];
  readonly #onExit = (): void => this.destroySync();
  #destroyed = false;

  private constructor(id: string, hosts: readonly LabHost[]) {
    this.id = id;
    this.hosts = hosts;
    this.#bridgeNetns = `lkha-${id}-br`;
    process.once('exit', this.#onExit);
  }

  /**
   * Creates the namespaces, bridge and links. `hosts` maps a host name to its address; `prefix`
   * is the subnet's prefix length. Partial work is undone when a step fails.
   */
  static create(hosts: Readonly<Record<string, string>>, prefix: number): NetworkLab {
    const id = randomBytes(3).toString('hex');
    const lab = new NetworkLab(
      id,
      Object.entries(hosts).map(([name, ip]) => ({ name, netns: `lkha-${id}-${name}`, ip })),
    );
    try {
      lab.#addNetns(lab.#bridgeNetns);
      ip('-n', lab.#bridgeNetns, 'link', 'set', 'lo', 'up');
      ip('-n', lab.#bridgeNetns, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', lab.#bridgeNetns, 'link', 'set', 'br0', 'up');
      lab.hosts.forEach((host, index) => {
        lab.#addNetns(host.netns);
        ip('-n', host.netns, 'link', 'set', 'lo', 'up');
        ip('-n', lab.#bridgeNetns, 'link', 'add', `port${index}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns);
        ip('-n', lab.#bridgeNetns, 'link', 'set', `port${index}`, 'master', 'br0', 'up');
        ip('-n', host.netns, 'addr', 'add', `${host.ip}/${prefix}`, 'dev', 'eth0');
        ip('-n', host.netns, 'link', 'set', 'eth0', 'up');
      });
    } catch (error) {
      lab.destroySync();
      throw error;
    }
    return lab;
  }

  host(name: string): LabHost {
    const host = this.hosts.find((h) => h.name === name);
    if (host === undefined) throw new Error(`no lab host "${name}"`);
    return host;
  }

  /** Runs a command in a host's namespace and returns its stdout; throws with stderr on failure. */
  run(host: LabHost, command: string, args: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', host.netns, command, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Exit status of a command in a host's namespace (output discarded). */
  status(host: LabHost, command: string, args: readonly string[]): number | null {
    return spawnSync('ip', ['netns', 'exec', host.netns, command, ...args], { stdio: 'ignore' }).status;
  }

  /**
   * Starts a long-running process in a host's namespace; stdout and stderr go to `logFile`.
   * `ip netns exec` execs the command, so the child's pid is the command's.
   */
  spawn(host: LabHost, command: string, args: readonly string[], logFile: string, options: { onStdout?: (chunk: string) => void } = {}): LabProcess {
    const child = spawn('ip', ['netns', 'exec', host.netns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      options.onStdout?.(chunk.toString());
    });
    child.stderr!.pipe(log);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started: LabProcess = { child, logFile, exited };
    this.#processes.push(started);
    return started;
  }

  /** Whether `address` is currently configured on a host's `eth0`. */
  hasAddress(host: LabHost, address: string): boolean {
    const out = spawnSync('ip', ['-n', host.netns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout ?? '';
    return out.includes(` ${address}/`);
  }

  /** Stops every process (SIGTERM, then SIGKILL after `graceMs`) and removes the namespaces. */
  async destroy(graceMs = 3_000): Promise<void> {
    const running = this.#processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of running) p.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    await Promise.race([Promise.all(running.map((p) => p.exited)), timeout]);
    this.destroySync();
  }

  /** Synchronous teardown: SIGKILL what is left, delete the namespaces. Safe to call twice. */
  destroySync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.off('exit', this.#onExit);
    for (const p of this.#processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const netns of this.#netnsCreated) {
      // Anything still running in our namespaces (children of what we started) goes too.
      const pids = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    for (const netns of [...this.#netnsCreated].reverse()) spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
    const left = this.#netnsCreated.filter((netns) => existsSync(`/run/netns/${netns}`));
    if (left.length > 0) console.error(`network lab ${this.id}: could not delete namespaces ${left.join(', ')}`);
  }

  #addNetns(name: string): void {
    ip('netns', 'add', name);
    this.#netnsCreated.push(name);
  }
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr ?? '').trim() || result.error?.message}`);
}
