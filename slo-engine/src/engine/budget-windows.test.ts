import { describe, expect, test } from 'vitest';
import type { TimeRange } from '../events/event-source.ts';
import type { BudgetSlo } from '../model/slo.ts';
import type { BudgetSli, WindowCounter } from '../rollups/window-counter.ts';
import { budgetBurnWindows, budgetSlisInUse, countBudgetWindows } from './budget-windows.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function slo(windowMs: number): BudgetSlo {
  return {
    kind: 'budget',
    name: 'checkout-availability',
    filter: { service: 'checkout' },
    indicator: { type: 'availability' },
    objective: 0.999,
    windowMs,
    states: { green: 0.6, orange: 0.8, red: 1 },
    holdMs: 5 * MINUTE,
    owners: { sli: [], slo: [] },
    minTraffic: 10,
  };
}

/** A counter that records its calls and answers each range with its length in minutes. */
function recordingCounter() {
  const calls: { sli: BudgetSli; ranges: readonly TimeRange[]; now: number }[] = [];
  const counter = {
    async countRanges(sli: BudgetSli, ranges: readonly TimeRange[], now: number) {
      calls.push({ sli, ranges, now });
      return ranges.map((range) => ({ good: 0, total: (range.to - range.from) / MINUTE }));
    },
  } as unknown as WindowCounter;
  return { counter, calls };
}

describe('countBudgetWindows', () => {
  test('asks the counter once for the SLO window and every burn-rate window ending at now', async () => {
    const { counter, calls } = recordingCounter();
    const now = Date.UTC(2026, 0, 22, 12, 0, 17, 345);
    const counts = await countBudgetWindows(counter, slo(30 * DAY), now);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sli).toEqual({ filter: { service: 'checkout' }, indicator: { type: 'availability' } });
    expect(calls[0]!.now).toBe(now);
    const windows = [30 * DAY, 5 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY];
    expect(calls[0]!.ranges).toEqual(windows.map((w) => ({ from: now - w, to: now })));
    expect(counts.window).toEqual({ good: 0, total: 30 * 24 * 60 });
    expect([...counts.burnWindows]).toEqual(budgetBurnWindows(slo(30 * DAY)).map((w) => [w, { good: 0, total: w / MINUTE }]));
  });

  test('scales the burn-rate windows with the SLO window', () => {
    expect(budgetBurnWindows(slo(7 * DAY))).toEqual([70_000, 420_000, 840_000, 1_680_000, 5_040_000, 20_160_000, 60_480_000]);
  });

  test('keeps each SLI for its longest window', () => {
    expect(budgetSlisInUse([slo(30 * DAY), slo(HOUR)])).toEqual([
      { sli: { filter: { service: 'checkout' }, indicator: { type: 'availability' } }, windowMs: 30 * DAY },
      { sli: { filter: { service: 'checkout' }, indicator: { type: 'availability' } }, windowMs: HOUR },
    ]);
  });
});
