import { describe, expect, it } from 'vitest';
import { createStateMachine, initialState, type SloState, type SloStatus, type Step } from './state-machine.ts';

const TICK = 30_000;
const HOLD = 5 * 60_000;
const machine = createStateMachine({ states: { green: 0.6, orange: 0.8, red: 1 }, holdMs: HOLD });

/** Runs the machine on a fake clock: one evaluation per tick, `levelAt(t)` giving the level. */
function run(start: SloState, from: number, until: number, levelAt: (t: number) => number | undefined) {
  let state = start;
  const steps: { at: number; step: Step }[] = [];
  for (let t = from; t <= until; t += TICK) {
    const level = levelAt(t);
    const step = machine.next(state, { level, total: level === undefined ? 0 : 100 }, t);
    steps.push({ at: t, step });
    state = step.state;
  }
  return { state, steps, transitions: steps.filter((s) => s.step.effects.length > 0) };
}

function firstTimeIn(steps: { at: number; step: Step }[], status: SloStatus): number | undefined {
  return steps.find((s) => s.step.state.status === status)?.at;
}

const green = (): SloState => run(initialState(0), 0, 0, () => 0.1).state;

describe('state machine', () => {
  it('starts as NODATA and turns GREEN on the first evaluation with a low level', () => {
    expect(initialState(0).status).toBe('NODATA');
    expect(green().status).toBe('GREEN');
  });

  it('turns a sustained 85% ORANGE at the hold plus or minus one tick and notifies the SLI owners', () => {
    const start = TICK;
    const { steps, transitions } = run(green(), start, start + 20 * 60_000, () => 0.85);
    const at = firstTimeIn(steps, 'ORANGE');
    expect(at).toBeDefined();
    expect(Math.abs(at! - start - HOLD)).toBeLessThanOrEqual(TICK);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]!.step.effects).toEqual([{ type: 'notify', transition: { from: 'GREEN', to: 'ORANGE' }, audience: 'sli', level: 0.85, at }]);
  });

  it('turns a sustained 105% RED at the hold plus or minus one tick, straight from GREEN, notifying SLO and SLI owners', () => {
    const start = TICK;
    const { steps, transitions } = run(green(), start, start + 20 * 60_000, () => 1.05);
    const at = firstTimeIn(steps, 'RED');
    expect(Math.abs(at! - start - HOLD)).toBeLessThanOrEqual(TICK);
    expect(firstTimeIn(steps, 'ORANGE')).toBeUndefined();
    expect(transitions.map((t) => t.step.effects[0]!.audience)).toEqual(['slo+sli']);
  });

  it('goes from ORANGE to RED once 105% has held for the hold', () => {
    const { steps } = run(green(), TICK, 60 * 60_000, (t) => (t < 10 * 60_000 ? 0.85 : 1.05));
    expect(firstTimeIn(steps, 'ORANGE')).toBeDefined();
    const red = firstTimeIn(steps, 'RED')!;
    expect(Math.abs(red - 10 * 60_000 - HOLD)).toBeLessThanOrEqual(TICK);
  });

  it('makes no transition when the level oscillates between 62% and 78% for 30 minutes', () => {
    let i = 0;
    const { transitions, state } = run(green(), TICK, TICK + 30 * 60_000, () => (i++ % 2 === 0 ? 0.62 : 0.78));
    expect(transitions).toEqual([]);
    expect(state.status).toBe('GREEN');
    expect(state.aboveOrangeSince).toBeNull();
  });

  it('stays ORANGE in the 60-80% band and when the level dips to 60% for less than the hold', () => {
    const orange = run(green(), TICK, 10 * 60_000, () => 0.9).state;
    expect(orange.status).toBe('ORANGE');
    const start = orange.since + TICK;
    const { transitions } = run(orange, start, start + 30 * 60_000, (t) => {
      const minute = Math.floor((t - start) / 60_000);
      return minute % 5 === 4 ? 0.5 : 0.7; // 60 s at 50 % every 5 min: never held
    });
    expect(transitions).toEqual([]);
  });

  it('recovers to GREEN only when 60% or less has held for the hold, notifying the audience of the state left', () => {
    const red = run(green(), TICK, 10 * 60_000, () => 1.2).state;
    expect(red.status).toBe('RED');
    const start = red.since + TICK;
    const { steps, transitions } = run(red, start, start + 20 * 60_000, () => 0.6);
    const at = firstTimeIn(steps, 'GREEN')!;
    expect(Math.abs(at - start - HOLD)).toBeLessThanOrEqual(TICK);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]!.step.effects[0]).toMatchObject({ transition: { from: 'RED', to: 'GREEN' }, audience: 'slo+sli' });

    const orange = run(green(), TICK, 10 * 60_000, () => 0.9).state;
    const recovery = run(orange, orange.since + TICK, orange.since + 20 * 60_000, () => 0.3).transitions;
    expect(recovery[0]!.step.effects[0]).toMatchObject({ transition: { from: 'ORANGE', to: 'GREEN' }, audience: 'sli' });
  });

  it('continues the hold from the persisted start after a restart rebuilds the machine from the persisted state', () => {
    const start = TICK;
    // Three minutes into an 85 % hold, the engine dies; its state was persisted as JSON.
    const before = run(green(), start, start + 3 * 60_000, () => 0.85).state;
    expect(before.aboveOrangeSince).toBe(start);
    const persisted = JSON.parse(JSON.stringify(before)) as SloState;

    const restarted = createStateMachine({ states: { green: 0.6, orange: 0.8, red: 1 }, holdMs: HOLD });
    const resumeAt = start + 3 * 60_000 + 4 * TICK; // two minutes of downtime
    let state = persisted;
    let orangeAt: number | undefined;
    for (let t = resumeAt; t <= resumeAt + 10 * 60_000 && orangeAt === undefined; t += TICK) {
      state = restarted.next(state, { level: 0.85, total: 100 }, t).state;
      if (state.status === 'ORANGE') orangeAt = t;
    }
    expect(orangeAt).toBe(resumeAt); // 5 min after the persisted start, not 5 min after the restart
  });

  it('shows NODATA when an evaluation has no traffic, drops pending holds, and resumes the known status on data', () => {
    const orange = run(green(), TICK, 10 * 60_000, () => 0.9).state;
    const gap = machine.next(orange, { level: undefined, total: 0 }, orange.since + TICK);
    expect(gap.state.status).toBe('NODATA');
    expect(gap.state.aboveOrangeSince).toBeNull();
    expect(gap.effects).toEqual([]);
    const back = machine.next(gap.state, { level: 0.9, total: 50 }, orange.since + 2 * TICK);
    expect(back.state.status).toBe('ORANGE');
    expect(back.effects).toEqual([]);
    expect(machine.next(green(), { level: 0, total: 0 }, TICK).state.status).toBe('NODATA');
  });

  it('escalates at the first evaluation when the hold is zero', () => {
    const instant = createStateMachine({ states: { green: 0.6, orange: 0.8, red: 1 }, holdMs: 0 });
    expect(instant.next(green(), { level: 0.81, total: 10 }, TICK).state.status).toBe('ORANGE');
  });
});
