import { QUIET_AVAILABILITY_SLO, sleep, type Scenario } from '../matrix/scenario.ts';

const DELAY_MS = 3_000;

/**
 * One of three members turns slow under load: everything it sends reaches the proxy 3 s late
 * (a relay in front of it delays every chunk), over the service's 2 s per-try headers timeout.
 * Its /health slows too, so the active health check (500 ms timeout) takes it out.
 */
export const upstreamSlow: Scenario = {
  name: 'upstream-slow',
  title: `upstream member slow (1 of 3, +${DELAY_MS} ms > 2 s headers timeout)`,
  members: [[], [], []],
  relayed: [1],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'last client error after the member turned slow (0: none)',
  async inject({ stack, faultPhaseMs, log }) {
    stack.relays.get(1)!.setFault({ kind: 'delay', ms: DELAY_MS });
    log(`member 2 now answers ${DELAY_MS} ms late`);
    await sleep(faultPhaseMs);
    return { notes: [`a relay in front of member 2 delays every chunk it sends by ${DELAY_MS} ms from the fault on`] };
  },
};
