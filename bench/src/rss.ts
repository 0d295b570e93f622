import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of a process tree, in KiB. */
export interface RssReport {
  /** Highest sum of VmRSS over the tree seen while sampling. */
  maxRssKiB: number;
  /** Sum of VmHWM (each process's own peak since it started) at the end of sampling. */
  hwmKiB: number;
  /** VmRSS sum of the last sample. */
  lastRssKiB: number;
  samples: number;
  /** PIDs that made up the tree. */
  pids: number[];
}

function statusField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

function readStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: statusField(text, 'VmRSS'), hwm: statusField(text, 'VmHWM') };
  } catch {
    return undefined;
  }
}

/** `root` and all its descendants (nginx master + worker, a cluster primary + workers). */
export function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // Process vanished while scanning.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/**
 * Samples VmRSS of a process tree every `intervalMs` (the tree is re-discovered every 2 s).
 * Sampling reads /proc only, so it costs the measured process nothing.
 */
export function sampleRss(root: number, intervalMs = 200): { stop(): RssReport } {
  let pids = processTree(root);
  const seen = new Set(pids);
  let maxRssKiB = 0;
  let lastRssKiB = 0;
  let samples = 0;
  let lastScan = Date.now();
  const sample = () => {
    if (Date.now() - lastScan > 2000) {
      pids = processTree(root);
      for (const pid of pids) seen.add(pid);
      lastScan = Date.now();
    }
    let sum = 0;
    for (const pid of pids) sum += readStatus(pid)?.rss ?? 0;
    lastRssKiB = sum;
    maxRssKiB = Math.max(maxRssKiB, sum);
    samples++;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let hwmKiB = 0;
      for (const pid of pids) hwmKiB += readStatus(pid)?.hwm ?? 0;
      return { maxRssKiB, hwmKiB, lastRssKiB, samples, pids: [...seen] };
    },
  };
}

export const mib = (kib: number): number => kib / 1024;
