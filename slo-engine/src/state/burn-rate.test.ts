import { describe, expect, it } from 'vitest';
import { BURN_RATE_TIERS_30D, burnRateTiers, burnRateWindows, decideBurnRateAlert, type WindowBurn } from './burn-rate.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('burn-rate tiers', () => {
  it('keeps the Google 30-day table for a 30-day window, highest factor first', () => {
    const tiers = burnRateTiers(30 * DAY);
    expect(tiers.map((t) => [t.longWindowMs, t.shortWindowMs, t.factor])).toEqual([
      [HOUR, 5 * MIN, 14.4],
      [6 * HOUR, 30 * MIN, 6],
      [DAY, 2 * HOUR, 3],
      [3 * DAY, 6 * HOUR, 1],
    ]);
  });

  it('scales the windows to the SLO window and keeps the factors', () => {
    const tiers = burnRateTiers(7 * DAY);
    expect(tiers[0]).toMatchObject({ longWindowMs: 840_000, shortWindowMs: 70_000, factor: 14.4 });
    expect(tiers[3]).toMatchObject({ longWindowMs: 60_480_000, shortWindowMs: 5_040_000, factor: 1 });
    expect(burnRateWindows(burnRateTiers(30 * DAY))).toEqual([5 * MIN, 30 * MIN, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY]);
    expect(BURN_RATE_TIERS_30D).toHaveLength(4);
  });

  const tiers = burnRateTiers(30 * DAY);
  const burns = (rate: (windowMs: number) => number, total = 1_000) =>
    new Map<number, WindowBurn>(burnRateWindows(tiers).map((w) => [w, { burnRate: rate(w), total }]));

  it('fires the highest tier whose long and short windows both burn fast enough and suppresses the lower ones', () => {
    const alert = decideBurnRateAlert(tiers, burns(() => 20), 10);
    expect(alert.firing?.name).toBe('page-fast');
    expect(alert.suppressed.map((t) => t.name)).toEqual(['page-slow', 'ticket-fast', 'ticket-slow']);
  });

  it('does not fire a tier whose short window has already cooled down', () => {
    const alert = decideBurnRateAlert(tiers, burns((w) => (w === 5 * MIN ? 2 : 20)), 10);
    expect(alert.firing?.name).toBe('page-slow');
  });

  it('fires nothing below every factor', () => {
    expect(decideBurnRateAlert(tiers, burns(() => 0.9), 10)).toEqual({ firing: undefined, suppressed: [] });
  });

  it('stays silent under the minimum-traffic guard and when a window has no data', () => {
    expect(decideBurnRateAlert(tiers, burns(() => 50, 9), 10).firing).toBeUndefined();
    expect(decideBurnRateAlert(tiers, new Map(), 0).firing).toBeUndefined();
  });
});
