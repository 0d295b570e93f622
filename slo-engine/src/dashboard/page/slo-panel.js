// SLO cards and the state-change list, from the engine's /api/slos and /api/transitions.
import { formatClock, formatDateTime, formatMs, formatNumber, formatPercent, formatSeconds } from './format.js';

/** Each state's text and symbol: the colour is never the only sign. */
export const STATES = {
  GREEN: { text: 'GREEN', symbol: '✓', meaning: 'within objective' },
  ORANGE: { text: 'ORANGE', symbol: '▲', meaning: 'at risk: SLI owners alerted' },
  RED: { text: 'RED', symbol: '✖', meaning: 'objective missed: SLO and SLI owners alerted' },
  NODATA: { text: 'NO DATA', symbol: '○', meaning: 'no events in the window' },
};
/** Level marks on the gauge: back to green at or below 60 %, orange from 80 %, red from 100 %. */
const MARKS = [0.6, 0.8, 1];

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A state badge: symbol and word, coloured. */
export function badge(status) {
  const state = STATES[status] ?? { text: String(status), symbol: '', meaning: '' };
  const node = element('span', `badge status-${status in STATES ? status : 'NODATA'}`, `${state.symbol} ${state.text}`.trim());
  node.title = state.meaning;
  return node;
}

function row(list, term, value, title) {
  const dt = element('dt', '', term);
  const dd = element('dd', '', value);
  if (title) dd.title = title;
  list.append(dt, dd);
}

/** What an SLO measures, e.g. "availability ≥ 99.9 % · 30d · service orders". */
function describe(slo) {
  const parts = [slo.kind === 'budget' && slo.objective != null ? `${slo.indicator} ≥ ${formatPercent(slo.objective, 2)}` : slo.indicator, slo.window];
  if (slo.service) parts.push(`service ${slo.service}`);
  if (slo.host) parts.push(`host ${slo.host}`);
  if (slo.pathPrefix) parts.push(`path ${slo.pathPrefix}*`);
  return parts.join(' · ');
}

/** The SLI as measured, in the indicator's unit. */
function sliText(view) {
  if (view.sli == null) return '–';
  if (view.slo.kind === 'budget' || view.slo.indicator.startsWith('error-rate')) return formatPercent(view.sli, 3);
  return formatMs(view.sli);
}

/** The hold under way, if any: the state the SLO will move to if the level stays where it is. */
function pendingText(view, now) {
  const { aboveRedSince, aboveOrangeSince, belowGreenSince } = view.holds;
  const since = (at) => formatSeconds((now - at) / 1000);
  if (aboveRedSince != null && view.status !== 'RED') return `Pending RED: level at or above 100 % for ${since(aboveRedSince)}`;
  if (aboveOrangeSince != null && view.status === 'GREEN') return `Pending ORANGE: level at or above 80 % for ${since(aboveOrangeSince)}`;
  if (belowGreenSince != null && view.status !== 'GREEN' && view.status !== 'NODATA') return `Pending GREEN: level at or below 60 % for ${since(belowGreenSince)}`;
  return undefined;
}

function card(view, now) {
  const node = element('article', `card status-${view.status}`);
  node.dataset.slo = view.slo.name;
  node.dataset.status = view.status;
  const header = element('header');
  header.append(element('h3', '', view.slo.name), badge(view.status));
  node.append(header);
  const what = element('p', 'what', describe(view.slo));
  what.title = view.slo.description ?? what.textContent;
  node.append(what);

  const gauge = element('div', 'level');
  gauge.setAttribute('role', 'img');
  const level = view.level;
  gauge.setAttribute('aria-label', level == null ? 'level unknown' : `level ${formatPercent(level)}`);
  const fill = element('div', `fill${level >= 1 ? ' over-red' : level >= 0.8 ? ' over-orange' : ''}`);
  fill.style.width = `${Math.min(100, Math.max(0, (level ?? 0) * 100 / 1.2))}%`;
  gauge.append(fill);
  for (const mark of MARKS) {
    const line = element('div', 'mark');
    line.style.left = `${(mark * 100) / 1.2}%`;
    gauge.append(line);
  }
  node.append(gauge);

  const facts = element('dl');
  row(facts, 'Level', formatPercent(level), view.slo.kind === 'budget' ? 'share of the error budget consumed' : 'SLI / limit');
  row(facts, 'SLI', sliText(view), view.total ? `${formatNumber(view.total)} events` : 'no events');
  if (view.slo.kind === 'budget') {
    row(facts, 'Budget left', formatPercent(view.budgetRemaining));
    row(facts, 'Burn rate', view.currentBurnRate == null ? '–' : `${formatNumber(view.currentBurnRate)}×`, 'over the shortest alert window (1× spends the budget exactly over the SLO window)');
    row(facts, 'Exhausted in', view.timeToExhaustionSeconds == null ? '–' : formatSeconds(view.timeToExhaustionSeconds));
    if (view.alertTier) row(facts, 'Burn alert', view.alertTier);
  }
  row(facts, 'Since', view.since ? formatClock(view.since) : '–', view.since ? formatDateTime(view.since) : undefined);
  node.append(facts);

  const pending = pendingText(view, now);
  if (pending) node.append(element('p', 'pending', pending));
  if (view.error) node.append(element('p', 'failure', `⚠ Last evaluation failed (${view.error.code}): ${view.error.message}`));
  return node;
}

/** Renders the cards of `/api/slos` into `container`. */
export function renderSlos(container, body, now) {
  container.replaceChildren();
  container.dataset.state = body.slos.length === 0 ? 'nodata' : 'ok';
  if (body.slos.length === 0) {
    container.append(element('p', 'placeholder', 'No SLOs in the spec.'));
    return;
  }
  for (const view of body.slos) container.append(card(view, now));
}

/** Renders `/api/transitions` (newest first) into the list. */
export function renderTransitions(list, body) {
  list.replaceChildren();
  const transitions = body.transitions ?? [];
  list.dataset.state = transitions.length === 0 ? 'nodata' : 'ok';
  if (transitions.length === 0) {
    list.append(element('li', 'placeholder', 'No state changes yet.'));
    return;
  }
  for (const transition of transitions) {
    const item = element('li');
    item.dataset.slo = transition.slo;
    const time = element('time', '', formatClock(transition.at));
    time.dateTime = new Date(transition.at).toISOString();
    time.title = formatDateTime(transition.at);
    const name = element('span', 'name', transition.slo);
    name.title = `${transition.slo}: ${transition.from} → ${transition.to}${transition.level == null ? '' : ` at level ${formatPercent(transition.level)}`}`;
    const to = transition.kind === 'state' ? badge(transition.to) : element('span', 'burn', transition.to === 'none' ? 'burn alert cleared' : `burn ${transition.to}`);
    item.append(time, name, to);
    list.append(item);
  }
}

/** Replaces the cards and the list with a message when the engine API fails. */
export function showSloFailure(container, list, message) {
  container.replaceChildren(element('p', 'placeholder', message));
  container.dataset.state = 'error';
  list.replaceChildren(element('li', 'placeholder', message));
  list.dataset.state = 'error';
}
