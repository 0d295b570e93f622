// Companion of the faults profile: runs the echo upstream members of a pool on fixed ports and
// kills and restores them on a schedule, so that k6 (which can only send traffic) meets dead
// members. One member at a time is down; the others keep serving.
//
//   node load-tests/src/member-chaos.ts --ports 9001,9002 [--duration 70s] [--every 15s] [--down 5s]
//
// Point the proxy's service at the same ports (e.g. the demo's my-service on 9001 and 9002),
// start this, then `k6 run load-tests/faults.js`. Each kill is SIGKILL (a crash: no drain, open
// connections reset); each restore starts a fresh process on the same port. Prints one JSON
// line per action (`{"t":..., "action":"kill"|"restore", "port":...}`) and stops every member
// after --duration (the run is bounded).
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';

interface ChaosOptions {
  readonly ports: readonly number[];
  readonly durationMs: number;
  readonly everyMs: number;
  readonly downMs: number;
}

function seconds(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (match === null) throw new Error(`${flag} expects a duration such as 500ms, 15s or 2m, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

/** Parses the command line (`--ports` is required). */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (!['--ports', '--duration', '--every', '--down'].includes(flag) || value === undefined) {
      throw new Error(`usage: member-chaos.ts --ports 9001,9002 [--duration 70s] [--every 15s] [--down 5s] (bad "${flag}")`);
    }
    values.set(flag, value);
  }
  const ports = (values.get('--ports') ?? '').split(',').filter(Boolean).map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new Error('--ports expects a comma-separated list of ports such as 9001,9002');
  const options = {
    ports,
    durationMs: seconds(values.get('--duration') ?? '70s', '--duration'),
    everyMs: seconds(values.get('--every') ?? '15s', '--every'),
    downMs: seconds(values.get('--down') ?? '5s', '--down'),
  };
  if (options.downMs >= options.everyMs) throw new Error('--down must be shorter than --every');
  return options;
}

function log(action: string, port: number): void {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), action, port })}\n`);
}

async function main(): Promise<void> {
  const options = parseChaosArgs(process.argv.slice(2));
  const members: SpawnedEchoUpstream[] = await Promise.all(options.ports.map((port) => spawnEchoUpstream({ port, name: `echo-${port}` })));
  for (const m of members) log('start', m.port);
  const end = Date.now() + options.durationMs;
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
  for (let round = 0; !stopping && Date.now() + options.everyMs <= end; round++) {
    await sleep(options.everyMs - options.downMs);
    const index = round % members.length;
    const victim = members[index]!;
    await victim.kill('SIGKILL');
    log('kill', victim.port);
    await sleep(options.downMs);
    members[index] = await spawnEchoUpstream({ port: victim.port, name: victim.name });
    log('restore', victim.port);
  }
  await sleep(Math.max(0, end - Date.now()));
  await Promise.all(members.map((m) => m.stop()));
  for (const m of members) log('stop', m.port);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`member-chaos: ${(error as Error).message}\n`);
    process.exitCode = 2;
  });
}
