import { QUIET_AVAILABILITY_SLO, sleep, type Scenario } from '../matrix/scenario.ts';

/**
 * One of three members starts resetting every connection (TCP RST) as soon as a request
 * arrives, before any response byte (a relay in front of it does the reset): bodiless GETs are
 * retried on another member; POSTs are not (the member may have acted on them).
 */
export const upstreamReset: Scenario = {
  name: 'upstream-reset',
  title: 'upstream member resetting before the response (1 of 3)',
  members: [[], [], []],
  relayed: [1],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'last client error after the member started resetting (0: none)',
  async inject({ stack, faultPhaseMs, log }) {
    stack.relays.get(1)!.setFault({ kind: 'reset' });
    log('member 2 now resets every request');
    await sleep(faultPhaseMs);
    return { notes: ['a relay in front of member 2 resets each connection when a request arrives'] };
  },
};
