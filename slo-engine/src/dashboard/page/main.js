// The live page: polls the engine's API and the traffic endpoint, redraws, and says when data
// is stale or an API fails. Plain ES module, no framework, no build step.
import { formatClock, formatSeconds } from './format.js';
import { renderSlos, renderTransitions, showSloFailure } from './slo-panel.js';
import { TrafficPanels } from './traffic-panels.js';

const POLL_MS = 5000;
const RANGES = ['1m', '5m', '15m', '1h', '6h', '24h'];
const TRANSITIONS = 30;

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  range: RANGES.includes(params.get('range')) ? params.get('range') : '15m',
  paused: false,
  lastSuccess: 0,
  failingSince: 0,
  refreshes: 0,
  timer: undefined,
  generation: 0,
  sawSlos: false,
  sawTraffic: false,
};

const traffic = new TrafficPanels(document.querySelector('.traffic'));
const rangeSelect = $('range');
rangeSelect.value = state.range;
rangeSelect.addEventListener('change', () => {
  state.range = rangeSelect.value;
  const url = new URL(location.href);
  url.searchParams.set('range', state.range);
  history.replaceState(null, '', url);
  void refresh();
});
$('pause').addEventListener('click', (event) => {
  state.paused = !state.paused;
  event.currentTarget.setAttribute('aria-pressed', String(state.paused));
  event.currentTarget.textContent = state.paused ? 'Resume' : 'Pause';
  if (!state.paused) void refresh();
});

/** GET a JSON API; resolves `{ ok, body }` or `{ ok: false, code, message }`, never rejects. */
async function getJson(path) {
  try {
    const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const body = await response.json().catch(() => undefined);
    if (response.ok && body !== undefined) return { ok: true, body };
    const error = body?.error ?? {};
    return { ok: false, code: error.code ?? `HTTP_${response.status}`, message: error.message ?? `${path} answered ${response.status}` };
  } catch (error) {
    return { ok: false, code: 'UNREACHABLE', message: `the slo-engine at ${location.host} does not answer (${error.message})` };
  }
}

function showBanner(problems) {
  const banner = $('banner');
  if (problems.length === 0) {
    banner.hidden = true;
    banner.replaceChildren();
    document.body.dataset.failing = 'false';
    return;
  }
  const stale = state.lastSuccess ? ` Showing data from ${formatClock(state.lastSuccess)}.` : '';
  // One line per distinct failure: an engine that does not answer fails every API alike.
  const lines = new Map();
  for (const { what, code, message } of problems) {
    const key = `${code}\u0000${message}`;
    lines.set(key, { whats: [...(lines.get(key)?.whats ?? []), what], code, message });
  }
  banner.replaceChildren(
    ...[...lines.values()].map(({ whats, code, message }) => {
      const line = document.createElement('p');
      const codeNode = document.createElement('code');
      codeNode.textContent = code;
      line.append(`${whats.join(', ')} failing since ${formatClock(state.failingSince)}: `, codeNode, ` ${message}.${stale}`);
      return line;
    }),
  );
  banner.hidden = false;
  document.body.dataset.failing = 'true';
}

function showUpdated() {
  const node = $('updated');
  if (!state.lastSuccess) return;
  const age = (Date.now() - state.lastSuccess) / 1000;
  node.textContent = `${formatClock(state.lastSuccess)}${age >= 2 ? ` (${formatSeconds(age)} ago)` : ''}`;
  node.dateTime = new Date(state.lastSuccess).toISOString();
  node.dataset.at = String(state.lastSuccess);
  node.classList.toggle('bad', age > (3 * POLL_MS) / 1000);
}

async function refresh() {
  clearTimeout(state.timer);
  const generation = ++state.generation;
  const [slos, transitions, trafficResult] = await Promise.all([
    getJson('api/slos'),
    getJson(`api/transitions?limit=${TRANSITIONS}`),
    getJson(`api/traffic?range=${encodeURIComponent(state.range)}`),
  ]);
  // A newer refresh (range changed, resumed) started meanwhile: it draws and schedules.
  if (generation !== state.generation) return;
  const now = Date.now();
  const problems = [];

  if (slos.ok) {
    renderSlos($('slo-cards'), slos.body, now);
    $('engine').textContent = `${slos.body.instance} (${slos.body.leader ? 'leader' : 'standby'})`;
  } else {
    problems.push({ what: 'SLO API', code: slos.code, message: slos.message });
    // Keep the last states on screen (the banner says how old they are); nothing yet: say why.
    if (!state.sawSlos) showSloFailure($('slo-cards'), $('transitions'), `SLO states unavailable: ${slos.message}`);
  }
  state.sawSlos ||= slos.ok;
  if (slos.ok && transitions.ok) renderTransitions($('transitions'), transitions.body);
  else if (slos.ok) problems.push({ what: 'Transitions API', code: transitions.code, message: transitions.message });

  if (trafficResult.ok) {
    const snapshot = trafficResult.body;
    traffic.render(snapshot);
    const store = $('store');
    store.textContent = `${snapshot.store.kind === 'embedded' ? 'SQLite' : 'Elasticsearch'} ${snapshot.store.location}`;
    store.title = store.textContent;
    store.dataset.kind = snapshot.store.kind;
  } else {
    problems.push({ what: 'Traffic', code: trafficResult.code, message: trafficResult.message });
    if (!state.sawTraffic) traffic.fail(`${trafficResult.code}: ${trafficResult.message}`);
  }
  state.sawTraffic ||= trafficResult.ok;
  document.body.dataset.stale = String(problems.length > 0 && (state.sawSlos || state.sawTraffic));

  if (problems.length === 0) {
    state.lastSuccess = now;
    state.failingSince = 0;
  } else if (!state.failingSince) {
    state.failingSince = now;
  }
  showBanner(problems);
  showUpdated();
  state.refreshes++;
  document.body.dataset.refreshes = String(state.refreshes);
  if (!state.paused) state.timer = setTimeout(refresh, POLL_MS);
}

setInterval(showUpdated, 1000);
void refresh();
