import type { StateThresholds } from '../model/slo.ts';

/** What an SLO shows. NODATA: the last evaluation had no traffic (never shown as green). */
export type SloStatus = 'GREEN' | 'ORANGE' | 'RED' | 'NODATA';

/**
 * The persisted state of one SLO: plain JSON, times in epoch ms. The `...Since` fields are the
 * starts of the pending conditions (null when the condition does not hold), so an engine that
 * restarts from this state resumes the holds where they were.
 */
export interface SloState {
  readonly status: SloStatus;
  /** When `status` was entered. */
  readonly since: number;
  /** The status held before NODATA (GREEN at first); data resumes from it. Equals `status` otherwise. */
  readonly lastKnown: Exclude<SloStatus, 'NODATA'>;
  /** Level >= orange threshold continuously since then. */
  readonly aboveOrangeSince: number | null;
  /** Level >= red threshold continuously since then. */
  readonly aboveRedSince: number | null;
  /** Level <= green threshold continuously since then. */
  readonly belowGreenSince: number | null;
  /** Level of the last evaluation; null when it had no data. */
  readonly level: number | null;
}

/** One evaluation fed to the machine: the level (undefined = no data) and the event count. */
export interface StateEvaluation {
  readonly level: number | undefined;
  readonly total: number;
}

/** Thresholds and hold, from the SLO. */
export interface StatePolicy {
  readonly states: StateThresholds;
  readonly holdMs: number;
}

/** Who a notification goes to: SLI owners, or SLO and SLI owners. */
export type Audience = 'sli' | 'slo+sli';

/** A side effect for the orchestration to carry out (the only thing that touches the network). */
export interface NotifyEffect {
  readonly type: 'notify';
  readonly transition: { readonly from: SloStatus; readonly to: SloStatus };
  readonly audience: Audience;
  readonly level: number;
  readonly at: number;
}

export type Effect = NotifyEffect;

/** Result of one step of the machine. */
export interface Step {
  readonly state: SloState;
  readonly effects: readonly Effect[];
}

/** Who is notified on entering (or leaving) a state: its audience; GREEN and NODATA have none. */
export const STATUS_AUDIENCE: Readonly<Record<SloStatus, Audience | null>> = {
  GREEN: null,
  ORANGE: 'sli',
  RED: 'slo+sli',
  NODATA: null,
};

/** The state of an SLO never evaluated: NODATA, resuming as GREEN once data comes. */
export function initialState(now: number): SloState {
  return { status: 'NODATA', since: now, lastKnown: 'GREEN', aboveOrangeSince: null, aboveRedSince: null, belowGreenSince: null, level: null };
}

/**
 * One step of THE state machine, pure: the state after `evaluation` at `now`, and the effects.
 *
 * - No traffic (total 0 or no level): NODATA at once, pending holds dropped, no notification;
 *   the status before it is kept in `lastKnown`, and the first evaluation with data resumes
 *   from that status (a gap in traffic neither recovers nor re-alerts).
 * - Escalation: to RED when level >= red has held for the hold (from GREEN directly too), else
 *   to ORANGE from GREEN when level >= orange has held for the hold.
 * - De-escalation: to GREEN only when level <= green has held for the hold. Between green and
 *   orange (the hysteresis band) no hold runs in either direction.
 * - Effects: entering ORANGE notifies the SLI owners, entering RED the SLO and SLI owners;
 *   recovery notifies the audience of the state left.
 *
 * A hold of H is met by the first evaluation at least H after the condition began, so with a
 * tick T the transition happens within [H, H + T] of the condition starting.
 */
export function nextState(policy: StatePolicy, state: SloState, evaluation: StateEvaluation, now: number): Step {
  const level = evaluation.level;
  if (level === undefined || evaluation.total === 0 || Number.isNaN(level)) {
    const status = state.status === 'NODATA' ? state : { ...state, status: 'NODATA' as const, since: now };
    return { state: { ...status, aboveOrangeSince: null, aboveRedSince: null, belowGreenSince: null, level: null }, effects: [] };
  }
  const { green, orange, red } = policy.states;
  const aboveOrangeSince = level >= orange ? (state.aboveOrangeSince ?? now) : null;
  const aboveRedSince = level >= red ? (state.aboveRedSince ?? now) : null;
  const belowGreenSince = level <= green ? (state.belowGreenSince ?? now) : null;
  const held = (since: number | null): boolean => since !== null && now - since >= policy.holdMs;

  const from = state.lastKnown;
  let to: Exclude<SloStatus, 'NODATA'> = from;
  if (from !== 'RED' && held(aboveRedSince)) to = 'RED';
  else if (from === 'GREEN' && held(aboveOrangeSince)) to = 'ORANGE';
  else if (from !== 'GREEN' && held(belowGreenSince)) to = 'GREEN';

  const effects: Effect[] = [];
  if (to !== from) {
    const audience = STATUS_AUDIENCE[to === 'GREEN' ? from : to];
    if (audience !== null) effects.push({ type: 'notify', transition: { from, to }, audience, level, at: now });
  }
  const since = to !== from || state.status === 'NODATA' ? now : state.since;
  return { state: { status: to, since, lastKnown: to, aboveOrangeSince, aboveRedSince, belowGreenSince, level }, effects };
}

/** A state machine bound to one SLO's policy. */
export interface StateMachine {
  next(state: SloState, evaluation: StateEvaluation, now: number): Step;
}

/** The state machine of an SLO (thresholds and hold from it). Stateless: pass the state in. */
export function createStateMachine(policy: StatePolicy): StateMachine {
  return { next: (state, evaluation, now) => nextState(policy, state, evaluation, now) };
}
