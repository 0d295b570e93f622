import type { SloView } from '../../../slo-engine/src/engine/slo-view.ts';
import { sleep, until, type Scenario } from '../matrix/scenario.ts';

const HOLD_MS = 8_000;

/**
 * 8.5% of requests ask for a 503 against a 90% availability SLO (level 85%: orange after an
 * 8 s hold). The engine is SIGKILLed 3 s into the hold and started again on its state file:
 * it must resume the hold from its persisted start and notify GREEN->ORANGE exactly once.
 */
export const sloEngineKilledMidHold: Scenario = {
  name: 'slo-engine-killed-mid-hold',
  title: 'slo-engine killed (SIGKILL) 3 s into an 8 s hold, restarted',
  members: [[], []],
  slo: { indicator: { type: 'availability' }, objective: 0.9, window: '20s', hold: `${HOLD_MS / 1_000}s`, owners: { sli: ['oncall'], slo: ['oncall'] } },
  expectedNotifications: ['GREEN->ORANGE'],
  injectedErrorShare: 0.085,
  recoveryMeaning: 'from the kill until the restarted engine had evaluated the SLO again',
  async inject({ stack, sloName, faultPhaseMs, log }) {
    const view = async (): Promise<SloView> => (await (await fetch(`${stack.engine!.url}/api/slos/${sloName}`)).json()) as SloView;
    const holdStart = await until('the orange hold starting', async () => (await view()).holds.aboveOrangeSince ?? undefined, 60_000);
    await until('3 s into the hold', () => (Date.now() - holdStart >= 3_000 ? true : undefined), 10_000);
    const before = await view();
    await stack.engine!.kill();
    const killedAt = Date.now();
    log(`engine killed ${((killedAt - holdStart) / 1_000).toFixed(1)} s into the hold (status ${before.status})`);
    await stack.restartEngine();
    const evaluated = await until(
      'the restarted engine evaluating',
      async () => {
        const now = await view();
        return now.evaluatedAt !== null && now.evaluatedAt > killedAt ? now : undefined;
      },
      60_000,
    );
    const recoveredAt = Date.now();
    const orange = await until('ORANGE', async () => ((await view()).status === 'ORANGE' ? Date.now() : undefined), 30_000).catch(() => undefined);
    await sleep(Math.max(0, faultPhaseMs - (Date.now() - killedAt)));
    return {
      recoveryS: (recoveredAt - killedAt) / 1_000,
      notes: [
        `status before the kill ${before.status}, after the restart ${evaluated.status}`,
        orange === undefined ? 'never ORANGE after the restart' : `ORANGE ${((orange - holdStart) / 1_000).toFixed(1)} s after the hold started (hold ${HOLD_MS / 1_000} s)`,
      ],
    };
  },
};
