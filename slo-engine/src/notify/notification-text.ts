import type { SloNotification } from './notification.ts';

/**
 * The words of a notification, shared by e-mail and the Alertmanager annotations: a subject
 * line an on-call engineer can triage from a phone's lock screen, and the facts behind it.
 */

/** `104 %`, `0.4 %`, `-4 %`: whole percents, one decimal below 10 %. */
export function formatPercent(share: number): string {
  const percent = share * 100;
  const rounded = Math.abs(percent) < 10 && !Number.isInteger(percent) ? Math.round(percent * 10) / 10 : Math.round(percent);
  return `${Object.is(rounded, -0) ? 0 : rounded} %`;
}

/** `2 d 3 h`, `5 h 12 min`, `14 min`, `45 s`: the two largest units. */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ];
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) parts.push(`${count} ${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.filter((part) => !part.startsWith('0 ')).join(' ');
}

/** `ORANGE`, `RED`, `GREEN`, `PAGE`, `TICKET`, `RESOLVED`: the bracketed tag of the subject. */
export function notificationTag(notification: SloNotification): string {
  switch (notification.type) {
    case 'slo.burn_rate.firing':
      return (notification.burnRate?.severity ?? 'page').toUpperCase();
    case 'slo.burn_rate.resolved':
      return 'RESOLVED';
    default:
      return notification.state.to;
  }
}

/** `104 % of error budget consumed` or `112 % of its limit (p99 <= 250 ms)`. */
export function levelPhrase(notification: SloNotification): string {
  const level = formatPercent(notification.level);
  return notification.slo.kind === 'budget' ? `${level} of error budget consumed` : `${level} of its limit (${notification.slo.indicator})`;
}

/** e.g. `[RED] api-availability: 104 % of error budget consumed`. */
export function notificationSubject(notification: SloNotification): string {
  const { slo, state, burnRate } = notification;
  const tag = `[${notificationTag(notification)}] ${slo.name}`;
  switch (notification.type) {
    case 'slo.burn_rate.firing':
      return burnRate === undefined
        ? `${tag}: error budget burning fast`
        : `${tag}: error budget burning at ${burnRate.longBurnRate.toFixed(1)}x (${burnRate.longWindow}/${burnRate.shortWindow}, alert at ${burnRate.factor}x)`;
    case 'slo.burn_rate.resolved':
      return burnRate === undefined ? `${tag}: burn-rate alert resolved` : `${tag}: burn-rate alert ${burnRate.longWindow}/${burnRate.shortWindow} resolved`;
    default:
      if (state.to === 'GREEN') return `${tag}: recovered from ${state.from}, ${levelPhrase(notification)}`;
      if (state.to === 'NODATA') return `${tag}: no traffic to evaluate`;
      return `${tag}: ${levelPhrase(notification)}`;
  }
}

/** Label and value pairs, in reading order, with the links last. */
export function notificationFacts(notification: SloNotification): readonly (readonly [label: string, value: string])[] {
  const { slo } = notification;
  const facts: [string, string][] = [['SLO', slo.description ? `${slo.name} (${slo.description})` : slo.name]];
  const scope = [slo.service && `service ${slo.service}`, slo.host && `host ${slo.host}`, slo.pathPrefix && `paths ${slo.pathPrefix}*`].filter(Boolean).join(', ');
  if (scope) facts.push(['Scope', scope]);
  const objective = slo.objective === undefined ? '' : `, objective ${formatObjective(slo.objective)}`;
  facts.push(['Indicator', `${slo.indicator}${objective} over ${slo.window}`]);
  facts.push(['State', `${notification.state.from} -> ${notification.state.to}`]);
  facts.push(['Level', levelPhrase(notification)]);
  if (notification.budgetRemaining !== null) facts.push(['Budget remaining', formatPercent(notification.budgetRemaining)]);
  if (slo.kind === 'budget') {
    const tte = notification.timeToExhaustionSeconds;
    const exhausted = notification.budgetRemaining !== null && notification.budgetRemaining <= 0;
    facts.push(['Time to exhaustion', exhausted ? 'exhausted' : tte === null ? 'not burning' : `${humanDuration(tte)} at the current burn rate`]);
  }
  const burn = notification.burnRate;
  if (burn !== undefined) {
    facts.push([
      'Burn rate',
      `${burn.longBurnRate.toFixed(2)}x over ${burn.longWindow}, ${burn.shortBurnRate.toFixed(2)}x over ${burn.shortWindow} (tier ${burn.tier}, alerts at ${burn.factor}x, ${burn.severity})`,
    ]);
  }
  facts.push(['At', notification.timestamp]);
  facts.push(['SLO details', notification.links.slo]);
  facts.push(['Dashboard', notification.links.dashboard]);
  return facts;
}

/** `99.9 %` from 0.999, without float noise. */
function formatObjective(objective: number): string {
  return `${Number((objective * 100).toPrecision(6))} %`;
}
