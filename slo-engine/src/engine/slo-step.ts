import { createHash } from 'node:crypto';
import type { Slo } from '../model/slo.ts';
import type { NotifiedSlo, SloNotification } from '../notify/notification.ts';
import type { PersistedSlo, TransitionRecord } from '../persistence/engine-store.ts';
import { formatDuration } from '../spec/duration.ts';
import { burnRateTiers, type BurnRateTier } from '../state/burn-rate.ts';
import { initialState, nextState, type Audience } from '../state/state-machine.ts';
import type { SloEvaluation } from './evaluate-slo.ts';

/** Where notifications link to. */
export interface NotificationLinks {
  /** Base URL of the engine's API, e.g. "http://127.0.0.1:8090". */
  readonly baseUrl: string;
  /** The dashboard to open. */
  readonly dashboard: string;
}

/** What one tick decided for one SLO: its next persisted state, the changes, the notifications. */
export interface SloStep {
  readonly persisted: PersistedSlo;
  readonly transitions: readonly TransitionRecord[];
  readonly notifications: readonly SloNotification[];
}

/** Burn-rate tiers page the SLO and SLI owners, tickets only the SLI owners. */
const TIER_AUDIENCE: Readonly<Record<BurnRateTier['severity'], Audience>> = { page: 'slo+sli', ticket: 'sli' };
const NO_TIER = 'none';

/** Hash of an SLO's definition, stored with its state. */
export function sloFingerprint(slo: Slo): string {
  return createHash('sha256').update(JSON.stringify(slo)).digest('hex').slice(0, 16);
}

/**
 * A notification id that every replica, and the same engine after a restart, derives alike for
 * the same change: the SLO, the kind, the from/to values and the start of the condition left.
 */
export function notificationId(slo: string, kind: string, from: string, to: string, leftSince: number): string {
  return `msg_${createHash('sha256').update(`${slo}\n${kind}\n${from}\n${to}\n${leftSince}`).digest('hex').slice(0, 32)}`;
}

/**
 * One step for one SLO, pure: the state machine on the evaluation, then the burn-rate alert
 * change, each change with its transition record and notification.
 */
export function decideSloStep(slo: Slo, previous: PersistedSlo | undefined, evaluation: SloEvaluation, links: NotificationLinks): SloStep {
  const now = evaluation.at;
  const before = previous?.state ?? initialState(now);
  const step = nextState({ states: slo.states, holdMs: slo.holdMs }, before, { level: evaluation.level, total: evaluation.total }, now);
  const transitions: TransitionRecord[] = [];
  const notifications: SloNotification[] = [];

  for (const effect of step.effects) {
    const { from, to } = effect.transition;
    const id = notificationId(slo.name, 'state', from, to, before.since);
    transitions.push({ id, slo: slo.name, kind: 'state', from, to, level: effect.level, at: now });
    notifications.push(notification(slo, evaluation, links, { id, type: 'slo.state.changed', from, to, level: effect.level, audience: effect.audience }));
  }
  if (step.state.status === 'NODATA' && before.status !== 'NODATA') {
    transitions.push({ id: notificationId(slo.name, 'state', before.status, 'NODATA', before.since), slo: slo.name, kind: 'state', from: before.status, to: 'NODATA', level: null, at: now });
  }

  const firing = evaluation.alert?.firing;
  const previousTier = previous?.burnAlert.tier ?? null;
  const tier = firing?.name ?? null;
  let burnAlert = previous?.burnAlert ?? { tier: null, since: null };
  if (tier !== previousTier) {
    const from = previousTier ?? NO_TIER;
    const to = tier ?? NO_TIER;
    const id = notificationId(slo.name, 'burn-rate', from, to, previous?.burnAlert.since ?? 0);
    transitions.push({ id, slo: slo.name, kind: 'burn-rate', from, to, level: evaluation.level ?? null, at: now });
    // A resolution goes to whoever the tier it ends paged or ticketed.
    const subject = firing ?? (slo.kind === 'budget' ? burnRateTiers(slo.windowMs).find((known) => known.name === previousTier) : undefined);
    notifications.push(
      notification(slo, evaluation, links, {
        id,
        type: firing ? 'slo.burn_rate.firing' : 'slo.burn_rate.resolved',
        from: step.state.status,
        to: step.state.status,
        level: evaluation.level ?? 0,
        audience: subject ? TIER_AUDIENCE[subject.severity] : 'slo+sli',
        ...(subject && { tier: subject }),
      }),
    );
    burnAlert = { tier, since: tier === null ? null : now };
  }

  return {
    persisted: { name: slo.name, fingerprint: sloFingerprint(slo), state: step.state, burnAlert, evaluatedAt: now },
    transitions,
    notifications,
  };
}

interface Change {
  readonly id: string;
  readonly type: SloNotification['type'];
  readonly from: SloNotification['state']['from'];
  readonly to: SloNotification['state']['to'];
  readonly level: number;
  readonly audience: Audience;
  readonly tier?: BurnRateTier;
}

function notification(slo: Slo, evaluation: SloEvaluation, links: NotificationLinks, change: Change): SloNotification {
  const tier = change.tier;
  const burn = (windowMs: number): number => evaluation.burnRates.find((rate) => rate.windowMs === windowMs)?.burnRate ?? 0;
  return {
    id: change.id,
    type: change.type,
    timestamp: new Date(evaluation.at).toISOString(),
    slo: describeSlo(slo),
    state: { from: change.from, to: change.to },
    level: change.level,
    budgetRemaining: slo.kind === 'budget' ? 1 - change.level : null,
    timeToExhaustionSeconds: evaluation.timeToExhaustionSeconds,
    ...(tier && {
      burnRate: {
        tier: tier.name,
        severity: tier.severity,
        factor: tier.factor,
        longWindow: formatDuration(tier.longWindowMs),
        shortWindow: formatDuration(tier.shortWindowMs),
        longBurnRate: burn(tier.longWindowMs),
        shortBurnRate: burn(tier.shortWindowMs),
      },
    }),
    audience: change.audience,
    links: { slo: `${links.baseUrl}/api/slos/${encodeURIComponent(slo.name)}`, dashboard: links.dashboard },
  };
}

/** The SLO in an alert's words. */
export function describeSlo(slo: Slo): NotifiedSlo {
  const indicator = slo.indicator;
  const text =
    indicator.type === 'availability'
      ? 'availability'
      : indicator.type === 'latency'
        ? `latency <= ${indicator.thresholdMs} ms`
        : indicator.metric === 'error-rate'
          ? `error-rate <= ${+(indicator.limit * 100).toPrecision(6)} %`
          : `${indicator.metric} <= ${indicator.limit} ms`;
  return {
    name: slo.name,
    ...(slo.description !== undefined && { description: slo.description }),
    ...(slo.filter.service !== undefined && { service: slo.filter.service }),
    ...(slo.filter.host !== undefined && { host: slo.filter.host }),
    ...(slo.filter.pathPrefix !== undefined && { pathPrefix: slo.filter.pathPrefix }),
    kind: slo.kind,
    indicator: text,
    ...(slo.kind === 'budget' && { objective: slo.objective }),
    window: formatDuration(slo.windowMs),
  };
}

