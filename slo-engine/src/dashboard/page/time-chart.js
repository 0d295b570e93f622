// One time-series panel drawn with uPlot (loaded before this module as the global `uPlot`):
// lines, or stacked bars. Shows a "no data" or error message instead of an empty plot, and
// records what it drew in data attributes (data-state, data-series, data-points, data-drawn)
// so people and tests can tell an empty chart from a broken one.

/** Okabe-Ito colours: told apart with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8A6D00', '#000000', '#999999'];
/** Dash patterns paired with the colours, so lines differ by more than colour. */
const DASHES = [[], [6, 3], [2, 2], [10, 3, 2, 3], [4, 4], [1, 3]];

const PLOT_HEIGHT = 170;
/** Tick steps of count axes: whole numbers only. */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

export class TimeChart {
  /**
   * @param {HTMLElement} figure the panel (`figure[data-panel]` with a `.plot` child)
   * @param {{ format: (v: number) => string, stacked?: boolean, integer?: boolean, colors?: Record<string, string> }} options
   */
  constructor(figure, options) {
    this.figure = figure;
    this.plotBox = figure.querySelector('.plot');
    this.options = options;
    this.plot = undefined;
    this.labels = '';
    this.drawn = 0;
    this.message = document.createElement('div');
    this.message.className = 'nodata';
    this.message.hidden = true;
    figure.append(this.message);
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.plotBox);
  }

  size() {
    return { width: Math.max(200, this.plotBox.clientWidth), height: PLOT_HEIGHT };
  }

  /**
   * Draws `series` over `time` (epoch ms); with no series, or none with a value, shows
   * `emptyText` instead.
   * @param {number[]} time
   * @param {{ label: string, values: (number | null)[] }[]} series
   * @param {string} emptyText
   */
  update(time, series, emptyText) {
    const points = series.reduce((count, one) => count + one.values.filter((value) => value !== null).length, 0);
    if (time.length === 0 || points === 0) {
      this.showMessage('No data', emptyText, 'nodata');
      return;
    }
    const ordered = this.options.stacked ? stack(series) : series;
    const labels = ordered.map((one) => one.label).join('\u0000');
    const data = [time.map((ms) => ms / 1000), ...ordered.map((one) => one.drawn ?? one.values)];
    if (this.plot === undefined || labels !== this.labels) {
      this.plot?.destroy();
      this.labels = labels;
      this.plot = new uPlot(this.config(ordered), data, this.plotBox);
    } else {
      this.plot.setData(data);
    }
    this.message.hidden = true;
    this.plotBox.style.visibility = 'visible';
    this.figure.dataset.state = 'ok';
    this.figure.dataset.series = String(series.length);
    this.figure.dataset.points = String(points);
  }

  /** Replaces the plot with a message; `state` is `nodata` or `error`. */
  showMessage(title, detail, state) {
    this.message.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = title;
    const text = document.createElement('span');
    text.textContent = detail;
    this.message.append(strong, text);
    this.message.hidden = false;
    this.plotBox.style.visibility = 'hidden';
    this.figure.dataset.state = state;
    this.figure.dataset.series = '0';
    this.figure.dataset.points = '0';
  }

  config(ordered) {
    const { format, stacked, integer, colors = {} } = this.options;
    const bars = stacked ? uPlot.paths.bars({ size: [0.8, 48], gap: 1 }) : undefined;
    return {
      ...this.size(),
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { y: { range: (u, min, max) => [stacked ? 0 : Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
      axes: [
        { stroke: '#57606a', grid: { stroke: '#eaeef2' }, ticks: { stroke: '#d0d7de' }, space: 72, values: clockTicks },
        {
          stroke: '#57606a',
          grid: { stroke: '#eaeef2' },
          ticks: { stroke: '#d0d7de' },
          size: 64,
          ...(integer && { incrs: WHOLE_STEPS }),
          values: (u, splits) => splits.map((v) => format(v)),
        },
      ],
      series: [
        { label: 'Time', value: (u, seconds) => (seconds == null ? '–' : new Date(seconds * 1000).toLocaleTimeString('en-GB', { hour12: false })) },
        ...ordered.map((one, i) => {
          const color = colors[one.label] ?? PALETTE[(one.index ?? i) % PALETTE.length];
          return {
            label: one.label,
            stroke: color,
            width: stacked ? 1 : 1.75,
            fill: stacked ? color : undefined,
            dash: stacked ? undefined : DASHES[i % DASHES.length],
            paths: bars,
            // Lines hide a value between two gaps: draw those as dots.
            points: stacked ? { show: false } : { show: true, size: 5, fill: color, filter: isolatedPoints },
            // The legend shows each series' own value, not the stacked height.
            value: (u, v, s, index) => (index == null || one.values[index] == null ? '–' : format(one.values[index])),
          };
        }),
      ],
      hooks: {
        draw: [
          () => {
            this.drawn++;
            this.figure.dataset.drawn = String(this.drawn);
          },
        ],
      },
    };
  }
}

/** Indices of values with no value on either side (a line through them has no length). */
function isolatedPoints(u, seriesIndex) {
  const values = u.data[seriesIndex];
  const indices = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] != null && values[i - 1] == null && values[i + 1] == null) indices.push(i);
  }
  return indices;
}

/** Time ticks on a 24-hour clock, with seconds when ticks are less than a minute apart. */
function clockTicks(u, splits, axisIndex, space, increment) {
  const seconds = increment < 60;
  return splits.map((split) => new Date(split * 1000).toLocaleTimeString('en-GB', { hour12: false, hour: '2-digit', minute: '2-digit', ...(seconds && { second: '2-digit' }) }));
}

/**
 * Stacked bars as uPlot draws them: each series' bar is the cumulative height, painted tallest
 * first so the lower ones cover it. Series in the returned order: top of the stack first.
 */
function stack(series) {
  const sums = series[0].values.map(() => 0);
  const stacked = series.map((one, index) => {
    const drawn = one.values.map((value, i) => (sums[i] += value ?? 0));
    return { ...one, index, drawn: drawn.slice() };
  });
  return stacked.reverse();
}
