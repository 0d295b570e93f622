import { QUIET_AVAILABILITY_SLO, sleep, type Scenario } from '../matrix/scenario.ts';

/**
 * One of three members is SIGKILLed under load and started again halfway through: connect
 * failures are retried on another member (any method: nothing was sent), the active health
 * check and outlier ejection take it out, and the health check lets it back in.
 */
export const upstreamKilled: Scenario = {
  name: 'upstream-killed',
  title: 'upstream member killed (1 of 3), restarted later',
  members: [[], [], []],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'last client error after the kill (0: none)',
  async inject({ stack, faultPhaseMs, log }) {
    const victim = stack.members[1]!;
    await victim.kill();
    const killedAt = Date.now();
    log(`killed ${victim.name} (port ${victim.port})`);
    await sleep(faultPhaseMs / 2);
    await stack.restartMember(1);
    const downS = (Date.now() - killedAt) / 1_000;
    log('member started again');
    await sleep(faultPhaseMs / 2);
    return { notes: [`member down for ${downS.toFixed(1)} s, then back on the same port`] };
  },
};
