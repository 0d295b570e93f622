import { telemetrySnapshot } from '../stack/fault-stack.ts';
import { QUIET_AVAILABILITY_SLO, sleep, until, type Scenario } from '../matrix/scenario.ts';

const OUTAGE_MS = 10_000;

/**
 * The run's Elasticsearch is SIGKILLed under load, stays down 10 s, and is started again on
 * its data: the proxy spools to disk meanwhile and replays when it returns; the engine cannot
 * read events during the outage and must not alert on their absence.
 */
export const elasticsearchKilled: Scenario = {
  name: 'elasticsearch-killed',
  title: 'Elasticsearch killed (SIGKILL), restarted after 10 s',
  members: [[], []],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'from the kill until the proxy spool was replayed (Elasticsearch start time included)',
  async inject({ stack, elasticsearch, log }) {
    await elasticsearch.kill();
    const killedAt = Date.now();
    log('Elasticsearch killed');
    await sleep(OUTAGE_MS);
    const spooling = await telemetrySnapshot(stack.adminUrl);
    const restartAt = Date.now();
    await elasticsearch.restart();
    const upAt = Date.now();
    log(`Elasticsearch up again after a ${((upAt - restartAt) / 1_000).toFixed(1)} s start`);
    const replayed = await until(
      'the spool replayed',
      async () => {
        const now = await telemetrySnapshot(stack.adminUrl);
        return now.spoolEvents === 0 && now.replayed > 0 ? now : undefined;
      },
      180_000,
    );
    const recoveredAt = Date.now();
    return {
      recoveryS: (recoveredAt - killedAt) / 1_000,
      notes: [
        `spool at the end of the outage: ${spooling.spoolEvents} events (${spooling.spooled} spooled so far)`,
        `Elasticsearch start took ${((upAt - restartAt) / 1_000).toFixed(1)} s; spool empty ${((recoveredAt - upAt) / 1_000).toFixed(1)} s after it answered (${replayed.replayed} events replayed)`,
      ],
    };
  },
};
