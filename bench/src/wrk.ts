import { runToEnd } from './processes.ts';
import { LOOPBACK } from './probe.ts';

/** One closed-loop wrk run, parsed. Latencies in milliseconds. */
export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  raw: string;
}

export interface WrkSettings {
  threads: number;
  connections: number;
  durationSec: number;
  host: string;
}

/** The exact argument list, also printed in the report. */
export function wrkArgs(port: number, settings: WrkSettings, durationSec = settings.durationSec): string[] {
  return [
    `-t${settings.threads}`,
    `-c${settings.connections}`,
    `-d${durationSec}s`,
    '--latency',
    '-H',
    `Host: ${settings.host}`,
    `http://${LOOPBACK}:${port}/`,
  ];
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
}

/** Parses wrk 4.x output (`--latency`). */
export function parseWrk(raw: string): WrkResult {
  const num = (re: RegExp) => {
    const match = re.exec(raw);
    return match ? Number(match[1]) : 0;
  };
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(raw);
    return match ? durationMs(match[1] ?? '') : Number.NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  return {
    requestsPerSec: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    non2xx: num(/Non-2xx or 3xx responses:\s+(\d+)/),
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
    raw,
  };
}

export function wrkErrors(result: WrkResult): number {
  const s = result.socketErrors;
  return result.non2xx + s.connect + s.read + s.write + s.timeout;
}

/** Runs wrk against a loopback port; the run is killed if it overshoots its duration by 15 s. */
export async function runWrk(port: number, settings: WrkSettings, durationSec = settings.durationSec): Promise<WrkResult> {
  const args = wrkArgs(port, settings, durationSec);
  const result = await runToEnd('wrk', 'wrk', args, (durationSec + 15) * 1000);
  if (result.error) throw new Error(`wrk could not start: ${result.error.message}`);
  if (result.timedOut) throw new Error('wrk did not finish in time');
  if (result.code !== 0) throw new Error(`wrk exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  return parseWrk(result.stdout);
}
