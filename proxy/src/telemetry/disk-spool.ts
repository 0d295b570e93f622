import { open, readdir, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import { pairBounds } from './bulk-body.ts';
import { adoptOrphanSegments, claimSpoolSlot, SEGMENT_NAME, segmentName, type SpoolSlot } from './spool-slot.ts';
import type { TelemetryCounters } from './telemetry-counters.ts';
import { TelemetryError } from './telemetry-errors.ts';

export interface DiskSpoolOptions {
  readonly directory: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly whenFull: 'drop-oldest' | 'drop-newest';
  /** Longest time written data stays without fdatasync (ms); 0 syncs after every write. */
  readonly fsyncInterval: number;
}

/** One segment file. Bytes before `readOffset` were delivered; the file goes once all are. */
interface Segment {
  readonly seq: number;
  readonly path: string;
  /** Appended (written or being written). */
  bytes: number;
  /** Written to the file (readable). */
  written: number;
  events: number;
  readOffset: number;
  readEvents: number;
  handle: FileHandle | undefined;
  deleted: boolean;
}

/** Spooled events read for a replay; give it back with `consume` (delivered) or `release` (not). */
export interface SpoolChunk {
  /** Bulk pairs as spooled; a view of the spool's read buffer, valid until the next `read`. */
  readonly body: Buffer;
  readonly events: number;
  /** The segment was deleted under the chunk (drop-oldest): its events are no longer spooled. */
  orphaned: boolean;
  readonly segment: Segment;
  readonly end: number;
}

/**
 * The Elasticsearch sink's disk spool: append-only segment files of bulk pairs (the exact bytes
 * a replay sends), in a slot of `directory` owned by this process.
 *
 * - Bounded: `maxBytes` over all segments. When an append does not fit, `drop-oldest` deletes
 *   the oldest segments (their undelivered events count as `dropped.spool_full`), `drop-newest`
 *   keeps what fits of the new batch and counts the rest.
 * - Durable: writes go in order through one chain; `fdatasync` at most `fsyncInterval` ms after
 *   a write (and when a segment is sealed, and on close). A killed process loses nothing it
 *   wrote (the kernel has it); a power loss or kernel crash loses at most the last
 *   `fsyncInterval` ms of appends.
 * - Replayed in order (`read`, then `consume`), surviving restarts: `open` finds the segments of
 *   earlier processes, cuts a torn last record (a write interrupted by a crash) and counts the
 *   events left.
 */
export class DiskSpool {
  readonly options: DiskSpoolOptions;
  readonly #slot: SpoolSlot;
  readonly #counters: TelemetryCounters;
  readonly #log: Logger;
  readonly #segments: Segment[] = [];
  #active: Segment | undefined;
  #nextSeq: number;
  #chain: Promise<void> = Promise.resolve();
  #lastSync = Date.now();
  #unsynced: Segment | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #inFlight: SpoolChunk | undefined;
  #closed = false;
  #writeErrorLogged = false;
  /** Replay reads land here (one chunk out at a time); reused, see BufferPool for why. */
  #readBuffer: Buffer = Buffer.alloc(0);

  private constructor(options: DiskSpoolOptions, slot: SpoolSlot, nextSeq: number, counters: TelemetryCounters, log: Logger) {
    this.options = options;
    this.#slot = slot;
    this.#nextSeq = nextSeq;
    this.#counters = counters;
    this.#log = log;
    if (options.fsyncInterval > 0) {
      this.#syncTimer = setInterval(() => {
        if (this.#unsynced !== undefined) this.#enqueue(() => this.#sync());
      }, options.fsyncInterval);
      this.#syncTimer.unref();
    }
  }

  /** Claims a slot of `options.directory`, adopts orphaned segments and scans what is left to replay. */
  static async open(options: DiskSpoolOptions, counters: TelemetryCounters, log: Logger): Promise<DiskSpool> {
    const slot = await claimSpoolSlot(options.directory);
    try {
      let seq = 0;
      for (const name of await readdir(slot.path)) {
        const match = SEGMENT_NAME.exec(name);
        if (match) seq = Math.max(seq, Number(match[1]) + 1);
      }
      seq = await adoptOrphanSegments(options.directory, slot, seq);
      const spool = new DiskSpool(options, slot, seq, counters, log);
      await spool.#scan();
      return spool;
    } catch (error) {
      await slot.release();
      if (error instanceof TelemetryError) throw error;
      throw new TelemetryError('LOOKOUT_SPOOL_UNAVAILABLE', `${slot.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Slot directory in use. */
  get path(): string {
    return this.#slot.path;
  }

  /** Bytes of all segment files (delivered parts included until their segment is deleted). */
  get bytes(): number {
    let total = 0;
    for (const segment of this.#segments) total += segment.bytes;
    return total;
  }

  /** Events spooled and not yet delivered. */
  get events(): number {
    let total = 0;
    for (const segment of this.#segments) total += segment.events - segment.readEvents;
    return total;
  }

  /**
   * Appends a bulk body of `events` pairs; returns how many events were kept (the rest count as
   * `dropped.spool_full`). Synchronous bookkeeping; the write itself goes through the chain,
   * and `onWritten` is called once `body` is no longer needed.
   */
  append(body: Buffer, events: number, onWritten?: () => void): number {
    if (this.#closed || events === 0) {
      if (events > 0) this.#counters.dropped.spool_error += events;
      onWritten?.();
      return 0;
    }
    const { maxBytes, whenFull } = this.options;
    let total = this.bytes;
    if (whenFull === 'drop-oldest') {
      while (total + body.length > maxBytes && this.#segments.length > 0) {
        this.#dropSegment(this.#segments[0]!);
        total = this.bytes;
      }
    }
    let kept = events;
    if (total + body.length > maxBytes) {
      const { bounds } = pairBounds(body);
      const room = maxBytes - total;
      kept = 0;
      while (kept + 1 < bounds.length && bounds[kept + 1]! <= room) kept++;
      this.#counters.dropped.spool_full += events - kept;
      if (kept === 0) {
        onWritten?.();
        return 0;
      }
      body = body.subarray(0, bounds[kept]!);
    }
    let segment = this.#active;
    if (segment !== undefined && segment.bytes > 0 && segment.bytes + body.length > this.options.segmentBytes) {
      this.#seal(segment);
      segment = undefined;
    }
    if (segment === undefined) segment = this.#create();
    segment.bytes += body.length;
    segment.events += kept;
    this.#counters.spooled += kept;
    const target = segment;
    this.#enqueue(() => this.#write(target, body, kept).finally(onWritten));
    return kept;
  }

  /**
   * Reads the oldest undelivered pairs (at most `maxEvents`, about `maxBytes`). One chunk at a
   * time: undefined while one is out, or when nothing written is left to read.
   */
  async read(maxEvents: number, maxBytes: number): Promise<SpoolChunk | undefined> {
    if (this.#inFlight !== undefined || this.#closed) return undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const segment = this.#segments.find((s) => s.readOffset < s.written);
      if (segment === undefined) return undefined;
      const available = segment.written - segment.readOffset;
      // Enough for maxEvents records of this segment's average size, plus a quarter.
      const estimate = Math.ceil((segment.bytes / Math.max(1, segment.events)) * maxEvents * 1.25);
      let length = Math.min(available, maxBytes, Math.max(estimate, 64 * 1024));
      let buffer: Buffer | undefined;
      let bounds: number[] = [0];
      for (;;) {
        try {
          if (this.#readBuffer.length < length) this.#readBuffer = Buffer.allocUnsafeSlow(length);
          buffer = await readAt(segment.path, segment.readOffset, this.#readBuffer.subarray(0, length));
        } catch (error) {
          if (!segment.deleted) this.#log.warn({ code: 'LOOKOUT_SPOOL_CORRUPT', segment: segment.path, err: error as Error }, `reading spool segment ${segment.path} failed: retrying later`);
          return undefined;
        }
        if (segment.deleted || this.#inFlight !== undefined || this.#closed) return undefined;
        ({ bounds } = pairBounds(buffer, maxEvents));
        if (bounds.length > 1 || length >= available) break;
        length = Math.min(available, length * 4); // one record larger than maxBytes
      }
      if (bounds.length > 1) {
        const end = bounds[bounds.length - 1]!;
        const chunk: SpoolChunk = { body: buffer.subarray(0, end), events: bounds.length - 1, orphaned: false, segment, end: segment.readOffset + end };
        this.#inFlight = chunk;
        return chunk;
      }
      // Written bytes that hold no record: damaged on disk. Skip the segment, say so, count it.
      const lost = segment.events - segment.readEvents;
      this.#log.error(
        { code: 'LOOKOUT_SPOOL_CORRUPT', segment: segment.path, offset: segment.readOffset, events: lost },
        `spool segment ${segment.path} holds an unreadable record at byte ${segment.readOffset}: skipping its ${lost} remaining events`,
      );
      this.#counters.dropped.spool_error += lost;
      segment.readEvents = segment.events;
      segment.readOffset = segment.written;
      this.#deleteIfDone(segment);
    }
    return undefined;
  }

  /** The chunk was delivered: advance past it, deleting segments that are done. */
  consume(chunk: SpoolChunk): void {
    if (this.#inFlight === chunk) this.#inFlight = undefined;
    // After close the files belong to the next process: leave them (it replays, 409s dedupe).
    if (chunk.orphaned || this.#closed) return;
    const segment = chunk.segment;
    segment.readOffset = chunk.end;
    segment.readEvents += chunk.events;
    this.#deleteIfDone(segment);
  }

  /** The chunk was not delivered; `undelivered` of its events stay spooled (or are lost if orphaned). */
  release(chunk: SpoolChunk, undelivered: number): void {
    if (this.#inFlight === chunk) this.#inFlight = undefined;
    if (chunk.orphaned) this.#counters.dropped.spool_full += undelivered;
  }

  /** Deletes every segment once all spooled events were delivered (back to an empty spool). */
  compact(): void {
    if (this.events > 0 || this.#inFlight !== undefined || this.#closed) return;
    for (const segment of [...this.#segments]) this.#remove(segment);
    this.#readBuffer = Buffer.alloc(0);
  }

  /** Resolves once every append so far is written (not necessarily synced). */
  written(): Promise<void> {
    return this.#chain;
  }

  /** Writes, syncs and closes everything, and gives the slot up. Spooled events stay for the next start. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#active !== undefined) this.#seal(this.#active);
    this.#closed = true;
    if (this.#syncTimer !== undefined) clearInterval(this.#syncTimer);
    await this.#chain;
    for (const segment of this.#segments) {
      if (segment.events === segment.readEvents && !segment.deleted) await unlink(segment.path).catch(() => undefined);
    }
    await this.#slot.release();
  }

  #create(): Segment {
    const seq = this.#nextSeq++;
    const segment: Segment = { seq, path: join(this.#slot.path, segmentName(seq)), bytes: 0, written: 0, events: 0, readOffset: 0, readEvents: 0, handle: undefined, deleted: false };
    this.#segments.push(segment);
    this.#active = segment;
    this.#enqueue(async () => {
      if (segment.deleted) return;
      segment.handle = await open(segment.path, 'a');
      // The new directory entry must survive a power loss too.
      await syncDirectory(this.#slot.path);
    });
    return segment;
  }

  /** No more appends to `segment`: sync and close its file (in the chain, after its writes). */
  #seal(segment: Segment): void {
    if (this.#active === segment) this.#active = undefined;
    this.#enqueue(async () => {
      const handle = segment.handle;
      segment.handle = undefined;
      if (handle === undefined) return;
      if (!segment.deleted) await handle.datasync();
      if (this.#unsynced === segment) this.#unsynced = undefined;
      await handle.close();
    });
  }

  #dropSegment(segment: Segment): void {
    const inFlight = this.#inFlight;
    let lost = segment.events - segment.readEvents;
    if (inFlight !== undefined && inFlight.segment === segment) {
      inFlight.orphaned = true;
      lost -= inFlight.events; // counted when the chunk's fate is known (see release)
    }
    this.#counters.dropped.spool_full += lost;
    this.#remove(segment);
  }

  #deleteIfDone(segment: Segment): void {
    if (segment === this.#active || segment.readOffset < segment.bytes) return;
    this.#remove(segment);
  }

  #remove(segment: Segment): void {
    segment.deleted = true;
    const index = this.#segments.indexOf(segment);
    if (index >= 0) this.#segments.splice(index, 1);
    if (this.#active === segment) this.#active = undefined;
    this.#enqueue(async () => {
      const handle = segment.handle;
      segment.handle = undefined;
      if (this.#unsynced === segment) this.#unsynced = undefined;
      await handle?.close();
      await unlink(segment.path).catch(() => undefined);
    });
  }

  async #write(segment: Segment, body: Buffer, events: number): Promise<void> {
    if (segment.deleted) return;
    try {
      if (segment.handle === undefined) throw new Error(`segment ${segment.path} is not open`);
      let offset = 0;
      for (let guard = 0; offset < body.length && guard < 1000; guard++) {
        const { bytesWritten } = await segment.handle.write(body, offset, body.length - offset);
        offset += bytesWritten;
      }
      segment.written += body.length;
      this.#unsynced = segment;
      if (this.options.fsyncInterval === 0 || Date.now() - this.#lastSync >= this.options.fsyncInterval) await this.#sync();
    } catch (error) {
      // Undo the bookkeeping and cut a partial record, so the segment stays readable.
      segment.bytes -= body.length;
      segment.events -= events;
      this.#counters.spooled -= events;
      this.#counters.dropped.spool_error += events;
      await truncate(segment.path, segment.written).catch(() => undefined);
      if (!this.#writeErrorLogged) {
        this.#writeErrorLogged = true;
        this.#log.error(
          { code: 'LOOKOUT_SPOOL_WRITE_FAILED', segment: segment.path, err: error as Error, events },
          `writing to the telemetry spool failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${events} events dropped; later failures are only counted (dropped.spool_error)`,
        );
      }
    }
  }

  async #sync(): Promise<void> {
    const segment = this.#unsynced;
    this.#unsynced = undefined;
    this.#lastSync = Date.now();
    await segment?.handle?.datasync();
  }

  #enqueue(task: () => Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      this.#log.error({ code: 'LOOKOUT_SPOOL_WRITE_FAILED', err: error as Error }, `telemetry spool: ${(error as Error).message}`);
    });
  }

  /** Counts the events of the segments found at open; cuts torn or damaged tails. */
  async #scan(): Promise<void> {
    const names = (await readdir(this.#slot.path)).filter((name) => SEGMENT_NAME.test(name)).sort();
    for (const name of names) {
      const path = join(this.#slot.path, name);
      const handle = await open(path, 'r');
      let size: number;
      let offset = 0;
      let events = 0;
      try {
        size = (await handle.stat()).size;
        let window = 1024 * 1024;
        for (let guard = 0; offset < size && guard < 100_000; guard++) {
          const length = Math.min(window, size - offset);
          if (this.#readBuffer.length < length) this.#readBuffer = Buffer.allocUnsafeSlow(length);
          const buffer = this.#readBuffer;
          const { bytesRead } = await handle.read(buffer, 0, length, offset);
          const { bounds } = pairBounds(buffer.subarray(0, bytesRead));
          if (bounds.length > 1) {
            offset += bounds[bounds.length - 1]!;
            events += bounds.length - 1;
            window = 1024 * 1024;
          } else if (offset + length < size) {
            window *= 4; // a record longer than the window
          } else {
            break; // torn or damaged from here on
          }
        }
      } finally {
        await handle.close();
      }
      if (offset < size) {
        this.#log.warn(
          { code: 'LOOKOUT_SPOOL_CORRUPT', segment: path, bytes: size - offset },
          `spool segment ${name} ends with ${size - offset} bytes that are not a complete record (a write cut short by a crash): cutting them`,
        );
        await truncate(path, offset);
      }
      if (events === 0) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      const seq = Number(SEGMENT_NAME.exec(name)![1]);
      this.#segments.push({ seq, path, bytes: offset, written: offset, events, readOffset: 0, readEvents: 0, handle: undefined, deleted: false });
    }
    if (this.#segments.length > 0) {
      this.#log.info(
        { directory: this.#slot.path, segments: this.#segments.length, events: this.events, bytes: this.bytes },
        `telemetry spool holds ${this.events} events from an earlier run: replaying them when Elasticsearch accepts writes`,
      );
    }
  }
}

async function readAt(path: string, offset: number, buffer: Buffer): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch {
    // some file systems refuse fsync on a directory
  } finally {
    await handle.close();
  }
}
