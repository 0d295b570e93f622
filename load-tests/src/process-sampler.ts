import { readFileSync } from 'node:fs';

/** One sample of a process: resident memory and CPU time used so far. */
export interface ProcessSample {
  /** Epoch ms. */
  readonly t: number;
  readonly rssMiB: number;
  /** User + system CPU time since the process started, s. */
  readonly cpuSeconds: number;
}

/** Linux clock ticks per second (`getconf CLK_TCK`; 100 on every common kernel). */
const TICKS_PER_SECOND = 100;

/** Reads `/proc/<pid>` (Linux); undefined once the process is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { t: Date.now(), rssMiB: rssKiB / 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** The whole machine's CPU time so far (busy and total, all cores), from `/proc/stat`. */
export function sampleMachine(): ProcessSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.reduce((a, b) => a + b, 0);
    // rssMiB carries nothing for the machine; cpuSeconds is busy CPU time of all cores.
    return { t: Date.now(), rssMiB: 0, cpuSeconds: (total - idle) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/**
 * Samples processes every `intervalMs` until stopped: `samples[name]` holds each one's series,
 * and `samples.machine` the whole machine's busy CPU time (all processes, all cores).
 *
 * @example
 * const sampler = startSampling({ proxy: proxyPid }, 500);
 * // ... load ...
 * const { proxy } = sampler.stop();
 */
export function startSampling(pids: Readonly<Record<string, number>>, intervalMs: number): { stop(): Record<string, ProcessSample[]> } {
  const samples: Record<string, ProcessSample[]> = Object.fromEntries([...Object.keys(pids), 'machine'].map((name) => [name, []]));
  const take = (): void => {
    const machine = sampleMachine();
    if (machine !== undefined) samples['machine']!.push(machine);
    for (const [name, pid] of Object.entries(pids)) {
      const sample = sampleProcess(pid);
      if (sample !== undefined) samples[name]!.push(sample);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Peak RSS and mean CPU (cores) of a series within `[from, to)`. */
export function windowFigures(series: readonly ProcessSample[], from: number, to: number): { peakRssMiB: number | null; cpuCores: number | null } {
  const inside = series.filter((s) => s.t >= from && s.t < to);
  if (inside.length === 0) return { peakRssMiB: null, cpuCores: null };
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  const seconds = (last.t - first.t) / 1000;
  return {
    peakRssMiB: Math.max(...inside.map((s) => s.rssMiB)),
    cpuCores: seconds > 0 ? (last.cpuSeconds - first.cpuSeconds) / seconds : null,
  };
}
