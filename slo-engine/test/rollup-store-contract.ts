import { expect, test } from 'vitest';
import type { MinuteCount, TimeRange } from '../src/events/event-source.ts';
import type { RollupStore } from '../src/rollups/rollup-store.ts';
import { seededRandom } from './event-source-fixture.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const at = (minutes: number): number => T0 + minutes * MINUTE;

/** Brute force over a model of the stored minutes. */
function modelSum(model: Map<number, MinuteCount>, range: TimeRange): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (const minute of model.values()) {
    if (minute.minute >= range.from && minute.minute < range.to) {
      good += minute.good;
      total += minute.total;
    }
  }
  return { good, total };
}

/** The RollupStore contract; `store()` gives a fresh, empty store (a new index or file per call). */
export function rollupStoreContract(store: () => Promise<RollupStore>): void {
  test('writes minutes, extends the coverage forward and backward, and sums any minute-aligned range', async () => {
    const rollups = await store();
    expect(await rollups.coverage('k')).toBeUndefined();
    await rollups.write('k', { from: at(10), to: at(20) }, [
      { minute: at(10), good: 5, total: 6 },
      { minute: at(12), good: 0, total: 3 },
      { minute: at(19), good: 7, total: 7 },
    ]);
    expect(await rollups.coverage('k')).toEqual({ from: at(10), to: at(20) });
    await rollups.write('k', { from: at(20), to: at(25) }, [{ minute: at(24), good: 1, total: 2 }]);
    await rollups.write('k', { from: at(5), to: at(10) }, [{ minute: at(5), good: 4, total: 4 }]);
    expect(await rollups.coverage('k')).toEqual({ from: at(5), to: at(25) });
    expect(await rollups.sum('k', { from: at(0), to: at(100) })).toEqual({ good: 17, total: 22 });
    expect(await rollups.sum('k', { from: at(11), to: at(20) })).toEqual({ good: 7, total: 10 });
    expect(await rollups.sum('k', { from: at(12), to: at(12) })).toEqual({ good: 0, total: 0 });
    expect(await rollups.sumRanges('k', [{ from: at(10), to: at(11) }, { from: at(19), to: at(25) }, { from: at(30), to: at(40) }])).toEqual([
      { good: 5, total: 6 },
      { good: 8, total: 9 },
      { good: 0, total: 0 },
    ]);
    expect(await rollups.sumRanges('k', [])).toEqual([]);
    expect(await rollups.sum('other', { from: at(0), to: at(100) })).toEqual({ good: 0, total: 0 });
  });

  test('a write replaces the minutes of its range: minutes it does not list are gone', async () => {
    const rollups = await store();
    await rollups.write('k', { from: at(0), to: at(10) }, [
      { minute: at(1), good: 1, total: 1 },
      { minute: at(5), good: 2, total: 2 },
      { minute: at(9), good: 3, total: 3 },
    ]);
    await rollups.write('k', { from: at(4), to: at(12) }, [{ minute: at(11), good: 10, total: 20 }]);
    expect(await rollups.coverage('k')).toEqual({ from: at(0), to: at(12) });
    expect(await rollups.sum('k', { from: at(0), to: at(12) })).toEqual({ good: 11, total: 21 });
  });

  test('refuses misaligned ranges, minutes outside the range, and writes that would leave a hole', async () => {
    const rollups = await store();
    await expect(rollups.write('k', { from: at(0) + 1, to: at(5) }, [])).rejects.toThrow(RangeError);
    await expect(rollups.write('k', { from: at(0), to: at(5) }, [{ minute: at(6), good: 1, total: 1 }])).rejects.toThrow(RangeError);
    await expect(rollups.sum('k', { from: at(0), to: at(5) + 30_000 })).rejects.toThrow(RangeError);
    await rollups.write('k', { from: at(0), to: at(5) }, []);
    await expect(rollups.write('k', { from: at(6), to: at(8) }, [])).rejects.toThrow(/hole/);
    expect(await rollups.coverage('k')).toEqual({ from: at(0), to: at(5) });
  });

  test('prunes old minutes and moves the coverage start; drops keys; lists the keys it has', async () => {
    const rollups = await store();
    const minutes = Array.from({ length: 30 }, (_, i) => ({ minute: at(i), good: i, total: i + 1 }));
    await rollups.write('a', { from: at(0), to: at(30) }, minutes);
    await rollups.write('b', { from: at(0), to: at(30) }, minutes);
    expect(await rollups.keys()).toEqual(['a', 'b']);
    await rollups.prune('a', at(20));
    expect(await rollups.coverage('a')).toEqual({ from: at(20), to: at(30) });
    expect(await rollups.sum('a', { from: at(0), to: at(30) })).toEqual(modelSum(new Map(minutes.slice(20).map((m) => [m.minute, m])), { from: at(0), to: at(30) }));
    await rollups.prune('a', at(30));
    expect(await rollups.coverage('a')).toBeUndefined();
    await rollups.drop('b');
    expect(await rollups.coverage('b')).toBeUndefined();
    expect(await rollups.sum('b', { from: at(0), to: at(30) })).toEqual({ good: 0, total: 0 });
    expect(await rollups.keys()).toEqual([]);
  });

  test('random writes, prunes and sums agree with a model of the minutes', async () => {
    const rollups = await store();
    const random = seededRandom(42);
    const model = new Map<number, MinuteCount>();
    let coverage: TimeRange | undefined;
    for (let step = 0; step < 25; step++) {
      const from = coverage === undefined ? at(100) : coverage.from + Math.floor(random() * ((coverage.to - coverage.from) / MINUTE + 1)) * MINUTE - (random() < 0.3 ? 5 * MINUTE : 0);
      const to = Math.max(from, (coverage?.to ?? from) + Math.floor(random() * 20) * MINUTE);
      const written: MinuteCount[] = [];
      for (let minute = from; minute < to; minute += MINUTE) {
        if (random() < 0.6) {
          const total = 1 + Math.floor(random() * 50);
          written.push({ minute, good: Math.floor(random() * (total + 1)), total });
        }
      }
      await rollups.write('r', { from, to }, written);
      for (const minute of [...model.keys()]) if (minute >= from && minute < to) model.delete(minute);
      for (const minute of written) model.set(minute.minute, minute);
      coverage = coverage === undefined ? { from, to } : { from: Math.min(coverage.from, from), to: Math.max(coverage.to, to) };
      if (step % 7 === 6) {
        const before = coverage.from + Math.floor(random() * 5) * MINUTE;
        await rollups.prune('r', before);
        for (const minute of [...model.keys()]) if (minute < before) model.delete(minute);
        coverage = before >= coverage.to ? undefined : { from: Math.max(coverage.from, before), to: coverage.to };
      }
      expect(await rollups.coverage('r')).toEqual(coverage);
      const ranges = Array.from({ length: 4 }, () => {
        const a = at(90 + Math.floor(random() * 200));
        const b = at(90 + Math.floor(random() * 200));
        return { from: Math.min(a, b), to: Math.max(a, b) };
      });
      expect(await rollups.sumRanges('r', ranges)).toEqual(ranges.map((range) => modelSum(model, range)));
    }
  });
}
