import { sleep, until, QUIET_AVAILABILITY_SLO, type Scenario } from '../matrix/scenario.ts';

/**
 * The only proxy gets SIGTERM under load (graceful drain: requests in flight finish, queued
 * telemetry is delivered or spooled), and is started again on the same port and spool: the
 * client sees the gap (refused connections) and no event may be lost. A production setup runs
 * two proxies behind keepalived (deploy/keepalived), so clients see a failover instead.
 */
export const proxySigtermRestart: Scenario = {
  name: 'proxy-sigterm-restart',
  title: 'proxy SIGTERM (drain) and restart, single instance',
  members: [[], []],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'the gap: from SIGTERM until the restarted proxy answered',
  async inject({ stack, load, faultPhaseMs, log }) {
    const stoppingAt = Date.now();
    const code = await stack.proxy.stop();
    const exitedAt = Date.now();
    log(`proxy exited with ${code} after ${exitedAt - stoppingAt} ms of drain`);
    await stack.restartProxy();
    const listeningAt = Date.now();
    const answeredAt = await until('a success through the restarted proxy', () => (load.ledger.lastSuccessAt >= listeningAt ? load.ledger.lastSuccessAt : undefined), 60_000);
    log(`restarted proxy answered ${answeredAt - stoppingAt} ms after SIGTERM`);
    await sleep(Math.max(0, faultPhaseMs - (Date.now() - stoppingAt)));
    return {
      recoveryS: (answeredAt - stoppingAt) / 1_000,
      gap: { from: stoppingAt, to: answeredAt },
      notes: [`drain and exit took ${exitedAt - stoppingAt} ms (exit code ${code}); the new process listened ${listeningAt - exitedAt} ms later`],
    };
  },
};
