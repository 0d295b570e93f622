// The traffic panels: key figures, time charts and tables, from the dashboard's /api/traffic.
import { formatBytes, formatCount, formatMs, formatNumber, formatPercent } from './format.js';
import { TimeChart } from './time-chart.js';

/** Status class colours: 2xx green, 3xx sky blue, 4xx orange, 5xx vermillion (with labels in the legend). */
const STATUS_COLORS = { '1xx': '#999999', '2xx': '#009E73', '3xx': '#56B4E9', '4xx': '#E69F00', '5xx': '#D55E00' };
const LATENCY_COLORS = { p50: '#0072B2', p95: '#E69F00', p99: '#D55E00' };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What a panel without data says: no events at all, or none carrying its fields. */
function emptyReason(snapshot, what) {
  if (snapshot.store.state === 'not-initialised') return snapshot.store.message ?? 'The event store does not exist yet.';
  if (snapshot.total === 0) return 'No requests in this time range.';
  return `No event in this time range carries ${what}.`;
}

export class TrafficPanels {
  constructor(root) {
    this.root = root;
    const figure = (name) => root.querySelector(`[data-panel="${name}"]`);
    this.charts = {
      rate: new TimeChart(figure('rate'), { format: formatNumber, colors: { 'Requests per second': '#0072B2' } }),
      latency: new TimeChart(figure('latency'), { format: formatMs, colors: LATENCY_COLORS }),
      statusClasses: new TimeChart(figure('status-classes'), { format: formatCount, stacked: true, integer: true, colors: STATUS_COLORS }),
      terminations: new TimeChart(figure('terminations'), { format: formatCount, stacked: true, integer: true }),
      bytes: new TimeChart(figure('bytes'), { format: formatBytes }),
      phases: new TimeChart(figure('phases'), { format: formatMs }),
    };
    this.tables = { topUris: figure('top-uris'), members: figure('members') };
  }

  /** Draws a snapshot of `/api/traffic`. */
  render(snapshot) {
    const { time } = snapshot;
    this.kpis(snapshot);
    this.charts.rate.update(time, snapshot.rate, emptyReason(snapshot, 'a timestamp'));
    this.charts.latency.update(time, snapshot.latency, emptyReason(snapshot, 'event.duration'));
    this.charts.statusClasses.update(time, snapshot.statusClasses, emptyReason(snapshot, 'http.response.status_code'));
    this.charts.terminations.update(
      time,
      snapshot.terminations,
      snapshot.total > 0 ? 'No failed requests in this time range: every request ended "ok" or "local".' : emptyReason(snapshot, 'lookout.termination'),
    );
    this.charts.bytes.update(time, snapshot.bytes, emptyReason(snapshot, 'body sizes (http.*.body.bytes)'));
    this.charts.phases.update(time, snapshot.phases, emptyReason(snapshot, 'timing phases (lookout.timing.*)'));
    this.table(
      this.tables.topUris,
      ['Path', 'Requests', 'Failed', 'p95', 'Avg size'],
      snapshot.topUris.map((row) => [row.path, row.requests, row.failures, formatMs(row.p95Ms), formatBytes(row.averageResponseBytes)]),
      emptyReason(snapshot, 'url.path'),
    );
    this.table(
      this.tables.members,
      ['Member', 'Requests', 'Failed', 'p95', 'Avg connect'],
      snapshot.members.map((row) => [row.member, row.requests, row.failures, formatMs(row.p95Ms), formatMs(row.averageConnectMs)]),
      emptyReason(snapshot, 'lookout.upstream.member'),
    );
  }

  /** Every panel shows `message` as an error (the traffic API failed). */
  fail(message) {
    for (const chart of Object.values(this.charts)) chart.showMessage('Unavailable', message, 'error');
    for (const figure of Object.values(this.tables)) this.message(figure, 'Unavailable', message, 'error');
    for (const kpi of this.root.querySelectorAll('.kpi .value')) kpi.textContent = '–';
  }

  kpis(snapshot) {
    const set = (id, text, title) => {
      const node = this.root.querySelector(`#${id} .value`);
      node.textContent = text;
      node.title = title ?? '';
    };
    const last = (series) => {
      const values = series?.values ?? [];
      for (let i = values.length - 1; i >= 0; i--) if (values[i] != null) return values[i];
      return null;
    };
    set('kpi-requests', formatCount(snapshot.total));
    set('kpi-failed', snapshot.total === 0 ? '–' : `${formatCount(snapshot.failed)} (${formatPercent(snapshot.failed / snapshot.total, 2)})`);
    set('kpi-rate', snapshot.total === 0 ? '–' : `${formatNumber(snapshot.total / ((snapshot.to - snapshot.from) / 1000))} /s`, 'requests per second over the time range');
    set('kpi-p99', formatMs(last(snapshot.latency.find((one) => one.label === 'p99'))), 'p99 of the latest bucket with requests');
    set('kpi-members', snapshot.members.length === 0 ? '–' : String(snapshot.members.length));
  }

  /** A table of `rows` (first column the key, the second a count drawn with a share bar). */
  table(figure, headings, rows, emptyText) {
    const wrap = figure.querySelector('.table-wrap');
    if (rows.length === 0) {
      wrap.replaceChildren();
      this.message(figure, 'No data', emptyText, 'nodata');
      return;
    }
    figure.querySelector('.nodata')?.remove();
    const table = element('table');
    const head = element('tr');
    headings.forEach((heading, i) => head.append(element('th', i === 0 ? '' : 'num', heading)));
    table.append(element('thead'));
    table.tHead.append(head);
    const body = element('tbody');
    const busiest = Math.max(...rows.map((row) => row[1]));
    for (const row of rows) {
      const tr = element('tr');
      const key = element('td', 'key', row[0]);
      key.title = row[0];
      const count = element('td', 'num');
      const bar = element('span', 'share');
      bar.style.width = `${Math.max(2, Math.round((row[1] / busiest) * 28))}px`;
      count.append(bar, formatCount(row[1]));
      const failed = element('td', `num${row[2] > 0 ? ' bad' : ''}`, formatCount(row[2]));
      tr.append(key, count, failed, ...row.slice(3).map((cell) => element('td', 'num', cell)));
      body.append(tr);
    }
    table.append(body);
    wrap.replaceChildren(table);
    figure.dataset.state = 'ok';
    figure.dataset.rows = String(rows.length);
  }

  message(figure, title, text, state) {
    let box = figure.querySelector('.nodata');
    if (!box) {
      box = element('div', 'nodata');
      figure.append(box);
    }
    box.replaceChildren(element('strong', '', title), element('span', '', text));
    figure.querySelector('.table-wrap').replaceChildren();
    figure.dataset.state = state;
    figure.dataset.rows = '0';
  }
}
