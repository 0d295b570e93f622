/** A least-squares line through (x, y) points. */
export interface LineFit {
  /** Change of y per unit of x. */
  readonly slope: number;
  readonly intercept: number;
  /** Standard deviation of the residuals around the line. */
  readonly residualSd: number;
  readonly points: number;
}

/** Ordinary least squares; throws with fewer than 3 points. */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) throw new Error(`HARDENING_TOO_FEW_SAMPLES: a trend needs at least 3 samples, got ${n}`);
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - (intercept + slope * xs[i]!)) ** 2;
  return { slope, intercept, residualSd: Math.sqrt(sse / Math.max(1, n - 2)), points: n };
}

/** Whether a series stays flat over a window, and by how much it rose. */
export interface Flatness {
  readonly fit: LineFit;
  /** Rise of the fitted line over the window (slope × window length), in y units. */
  readonly rise: number;
  /** The largest rise still called noise: max(2 × residual sd, floor). */
  readonly bound: number;
  readonly flat: boolean;
}

/**
 * Fits a line over the samples with x in [from, to] and calls the series flat when the fitted
 * rise over that window is at most max(2 × residual standard deviation, `floor`): a trend
 * must stand out of the series' own noise, and of a floor below which it does not matter.
 *
 * @example
 * assessFlatness(minutes, rssMiB, { from: 15, to: 30, floor: 4 }).flat
 */
export function assessFlatness(xs: readonly number[], ys: readonly number[], window: { readonly from: number; readonly to: number; readonly floor: number }): Flatness {
  const wx: number[] = [];
  const wy: number[] = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x >= window.from && x <= window.to && Number.isFinite(y)) {
      wx.push(x);
      wy.push(y);
    }
  }
  const fit = fitLine(wx, wy);
  const span = (wx[wx.length - 1] ?? 0) - (wx[0] ?? 0);
  const rise = fit.slope * span;
  const bound = Math.max(2 * fit.residualSd, window.floor);
  return { fit, rise, bound, flat: rise <= bound };
}
