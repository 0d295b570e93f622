import type { SloNotification } from './notification.ts';
import { humanDuration, formatPercent, levelPhrase, notificationSubject } from './notification-text.ts';

/**
 * The body Prometheus Alertmanager's `webhook_config` receiver posts (message `version: "4"`),
 * so receivers written for Alertmanager (incident tools, chat bridges) take SLO alerts as they
 * are. Labels identify an alert (its `fingerprint` is Prometheus' FNV-1a hash of them); a
 * resolved alert carries the same labels as the firing one it ends.
 *
 * - State alerts (`alertname: SLOErrorBudget` for budget SLOs, `SLOThreshold` for threshold
 *   SLOs): ORANGE fires `severity: warning`; RED fires `severity: critical` with the warning
 *   still firing (level >= red implies >= orange); recovery resolves every alert of the state
 *   left; NODATA fires `SLONoData`.
 * - Burn-rate alerts (`alertname: SLOBurnRate`, `severity` page or ticket) fire and resolve.
 *
 * `startsAt` is the time of the notification (a resolved alert's start is not carried by the
 * notification; receivers match firing and resolved alerts by `fingerprint`).
 */
export interface AlertmanagerAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** `0001-01-01T00:00:00Z` (Go's zero time) while firing. */
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** Alertmanager's webhook message (template.Data plus version, groupKey, truncatedAlerts). */
export interface AlertmanagerPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly AlertmanagerAlert[];
}

/** Go's zero `time.Time`, what Alertmanager writes as `endsAt` of a firing alert. */
export const ALERTMANAGER_ZERO_TIME = '0001-01-01T00:00:00Z';

const FNV_OFFSET_64 = 14695981039346656037n;
const FNV_PRIME_64 = 1099511628211n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * Prometheus' label-set fingerprint (`model.LabelSet.Fingerprint`): FNV-1a 64 over the labels
 * sorted by name, each name and value followed by the 0xff separator; 16 lower-case hex digits.
 */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  let hash = FNV_OFFSET_64;
  const add = (byte: number): void => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of Buffer.from(name, 'utf8')) add(byte);
    add(0xff);
    for (const byte of Buffer.from(labels[name] ?? '', 'utf8')) add(byte);
    add(0xff);
  }
  return hash.toString(16).padStart(16, '0');
}

interface AlertSpec {
  readonly alertname: string;
  readonly severity: string;
  readonly status: 'firing' | 'resolved';
}

function alertSpecs(notification: SloNotification): AlertSpec[] {
  const { type, state, slo, burnRate } = notification;
  if (type !== 'slo.state.changed') {
    return [{ alertname: 'SLOBurnRate', severity: burnRate?.severity ?? 'page', status: type === 'slo.burn_rate.firing' ? 'firing' : 'resolved' }];
  }
  const alertname = slo.kind === 'budget' ? 'SLOErrorBudget' : 'SLOThreshold';
  const warning = { alertname, severity: 'warning' };
  const critical = { alertname, severity: 'critical' };
  switch (state.to) {
    case 'ORANGE':
      return [{ ...warning, status: 'firing' }];
    case 'RED':
      return [
        { ...critical, status: 'firing' },
        { ...warning, status: 'firing' },
      ];
    case 'NODATA':
      return [{ alertname: 'SLONoData', severity: 'warning', status: 'firing' }];
    case 'GREEN':
      if (state.from === 'RED') {
        return [
          { ...critical, status: 'resolved' },
          { ...warning, status: 'resolved' },
        ];
      }
      if (state.from === 'NODATA') return [{ alertname: 'SLONoData', severity: 'warning', status: 'resolved' }];
      return [{ ...warning, status: 'resolved' }];
  }
}

function annotationsOf(notification: SloNotification): Record<string, string> {
  const annotations: Record<string, string> = {
    summary: notificationSubject(notification),
    description: `${notification.slo.name}: ${notification.slo.indicator}${notification.slo.objective === undefined ? '' : `, objective ${notification.slo.objective}`} over ${notification.slo.window}; ${levelPhrase(notification)}; state ${notification.state.from} -> ${notification.state.to}.`,
    level: formatPercent(notification.level),
    window: notification.slo.window,
    dashboard_url: notification.links.dashboard,
    slo_url: notification.links.slo,
    notification_id: notification.id,
  };
  if (notification.budgetRemaining !== null) annotations.budget_remaining = formatPercent(notification.budgetRemaining);
  if (notification.timeToExhaustionSeconds !== null) annotations.time_to_exhaustion = humanDuration(notification.timeToExhaustionSeconds);
  if (notification.burnRate !== undefined) {
    const burn = notification.burnRate;
    annotations.burn_rate = `${burn.longBurnRate.toFixed(2)}x over ${burn.longWindow}, ${burn.shortBurnRate.toFixed(2)}x over ${burn.shortWindow} (alerts at ${burn.factor}x)`;
  }
  return annotations;
}

function common(records: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = records;
  const shared: Record<string, string> = {};
  if (first === undefined) return shared;
  for (const [key, value] of Object.entries(first)) {
    if (rest.every((record) => record[key] === value)) shared[key] = value;
  }
  return shared;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/**
 * The Alertmanager-compatible body of a notification sent to the webhook named `receiver`.
 * `externalURL` defaults to the origin of the SLO link.
 */
export function alertmanagerPayload(notification: SloNotification, receiver: string, options: { readonly externalUrl?: string } = {}): AlertmanagerPayload {
  const { slo } = notification;
  const annotations = annotationsOf(notification);
  const alerts = alertSpecs(notification).map((spec): AlertmanagerAlert => {
    const labels: Record<string, string> = { alertname: spec.alertname, slo: slo.name, severity: spec.severity, service: slo.service ?? slo.host ?? '' };
    if (notification.burnRate !== undefined && spec.alertname === 'SLOBurnRate') labels.burn_window = `${notification.burnRate.longWindow}/${notification.burnRate.shortWindow}`;
    return {
      status: spec.status,
      labels,
      annotations,
      startsAt: notification.timestamp,
      endsAt: spec.status === 'firing' ? ALERTMANAGER_ZERO_TIME : notification.timestamp,
      generatorURL: notification.links.slo,
      fingerprint: labelsFingerprint(labels),
    };
  });
  const groupLabels = { slo: slo.name };
  return {
    version: '4',
    groupKey: `{}:{slo="${slo.name}"}`,
    truncatedAlerts: 0,
    status: alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved',
    receiver,
    groupLabels,
    commonLabels: common(alerts.map((alert) => alert.labels)),
    commonAnnotations: common(alerts.map((alert) => alert.annotations)),
    externalURL: options.externalUrl ?? origin(notification.links.slo),
    alerts,
  };
}
