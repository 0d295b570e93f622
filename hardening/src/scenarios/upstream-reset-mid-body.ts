import { QUIET_AVAILABILITY_SLO, sleep, type Scenario } from '../matrix/scenario.ts';

const BODY_BYTES = 16;

/**
 * One of three members starts cutting responses under load: the headers and 16 body bytes
 * pass, then the connection is reset (a relay in front of it does the cut). The proxy has
 * already forwarded the headers, so it cannot retry; what limits the damage is outlier
 * ejection (3 consecutive failures, 10 s base) and the health check (its /health is cut too).
 */
export const upstreamResetMidBody: Scenario = {
  name: 'upstream-reset-mid-body',
  title: 'upstream member resetting mid-body (1 of 3)',
  members: [[], [], []],
  relayed: [1],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'last client error after the member started resetting (0: none)',
  async inject({ stack, faultPhaseMs, log }) {
    stack.relays.get(1)!.setFault({ kind: 'reset-mid-body', bytes: BODY_BYTES });
    log(`member 2 now cuts every response after ${BODY_BYTES} body bytes`);
    await sleep(faultPhaseMs);
    return { notes: [`a relay in front of member 2 resets each connection after the response headers and ${BODY_BYTES} body bytes`] };
  },
};
