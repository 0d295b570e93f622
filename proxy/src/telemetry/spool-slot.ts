import { link, mkdir, readdir, readFile, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TelemetryError } from './telemetry-errors.ts';

/** Most processes (cluster workers) that can spool into one directory at once. */
export const MAX_SPOOL_SLOTS = 64;
const OWNER_FILE = 'owner';
/** Segment file names: `segment-<12-digit sequence>.ndjson`, oldest first when sorted. */
export const SEGMENT_NAME = /^segment-(\d{12})\.ndjson$/;

/** Slots claimed by this process (its pid is in their owner file). */
const claimedHere = new Set<string>();

/** A spool slot this process owns: `<directory>/slot-<n>`. */
export interface SpoolSlot {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Claims a slot of the spool directory for this process, so that the workers of one proxy (and
 * a restarted one) never write into the same segment files. A slot belongs to the process whose
 * pid is in its `owner` file while that process lives; a restarted process takes the first free
 * slot, which holds a previous process's segments when one died or stopped with a full spool.
 * Segments of other slots that no live process owns (fewer workers than before) are moved into
 * the claimed slot by {@link adoptOrphanSegments}.
 */
export async function claimSpoolSlot(directory: string): Promise<SpoolSlot> {
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    throw new TelemetryError('LOOKOUT_SPOOL_UNAVAILABLE', `cannot create ${directory}: ${(error as Error).message}`, { cause: error });
  }
  for (let n = 0; n < MAX_SPOOL_SLOTS; n++) {
    const path = join(directory, `slot-${n}`);
    if (await tryClaim(path)) {
      claimedHere.add(path);
      return {
        path,
        release: async () => {
          claimedHere.delete(path);
          await unlink(join(path, OWNER_FILE)).catch(() => undefined);
        },
      };
    }
  }
  throw new TelemetryError('LOOKOUT_SPOOL_UNAVAILABLE', `all ${MAX_SPOOL_SLOTS} slots of ${directory} are owned by running processes`);
}

/**
 * Moves the segments of slots that no live process owns into `slot` (after its own segments,
 * renumbered from `nextSeq`). Returns the new next sequence number.
 */
export async function adoptOrphanSegments(directory: string, slot: SpoolSlot, nextSeq: number): Promise<number> {
  let seq = nextSeq;
  const entries = await readdir(directory).catch(() => [] as string[]);
  for (const entry of entries) {
    const path = join(directory, entry);
    if (!/^slot-\d+$/.test(entry) || path === slot.path) continue;
    if (!(await tryClaim(path))) continue;
    try {
      const names = (await readdir(path)).filter((name) => SEGMENT_NAME.test(name)).sort();
      for (const name of names) await rename(join(path, name), join(slot.path, segmentName(seq++)));
    } finally {
      await unlink(join(path, OWNER_FILE)).catch(() => undefined);
      await rmdir(path).catch(() => undefined);
    }
  }
  return seq;
}

export function segmentName(seq: number): string {
  return `segment-${String(seq).padStart(12, '0')}.ndjson`;
}

async function tryClaim(path: string): Promise<boolean> {
  if (claimedHere.has(path)) return false;
  await mkdir(path, { recursive: true });
  const owner = join(path, OWNER_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written aside, then linked: the owner file appears atomically with the pid in it.
    const draft = `${owner}.${process.pid}.${attempt}`;
    await writeFile(draft, String(process.pid));
    try {
      await link(draft, owner);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(draft).catch(() => undefined);
    }
    const pid = Number.parseInt(await readFile(owner, 'utf8').catch(() => ''), 10);
    // Our own pid in a slot this process did not claim: an earlier process with the same pid
    // (containers restart as pid 1), so stale.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) return false;
    await unlink(owner).catch(() => undefined);
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
