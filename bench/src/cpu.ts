// CPU time of processes, read from /proc (costs the measured processes nothing).
import { readFileSync } from 'node:fs';
import { processTree } from './rss.ts';

/** Linux clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system, all threads) the process has used so far; undefined when unknown. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Measures the CPU a process tree uses from now until `stop()`, in cores (CPU seconds per
 * second of wall time). The tree is read again at the end, so cluster workers started in
 * between count from their start; a process that exits in between is not counted.
 */
export function measureTreeCpu(root: number): { stop(): number | undefined } {
  const startedAt = performance.now();
  const before = new Map<number, number>();
  for (const pid of processTree(root)) before.set(pid, cpuSeconds(pid) ?? 0);
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      let used = 0;
      let seen = false;
      for (const pid of processTree(root)) {
        const now = cpuSeconds(pid);
        if (now === undefined) continue;
        seen = true;
        used += now - (before.get(pid) ?? 0);
      }
      return seen && seconds > 0 ? used / seconds : undefined;
    },
  };
}
