import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runScenario } from '../src/matrix/run-scenario.ts';
import type { Scenario } from '../src/matrix/scenario.ts';
import type { ScenarioResult } from '../src/matrix/scenario-result.ts';
import { proxyReload20x } from '../src/scenarios/proxy-reload-20x.ts';
import { proxySigtermRestart } from '../src/scenarios/proxy-sigterm-restart.ts';
import { sloEngineKilledMidHold } from '../src/scenarios/slo-engine-killed-mid-hold.ts';
import { upstreamKilled } from '../src/scenarios/upstream-killed.ts';
import { externalElasticsearch } from '../src/stack/external-elasticsearch.ts';

/*
 * A bounded fault matrix: four scenarios, 15 s of 50 requests/s each, on the suite's
 * Elasticsearch (the scenario that kills Elasticsearch needs an instance of its own: it runs
 * in `node hardening/src/fault-matrix.ts`). Each asserts the matrix's targets: no idempotent
 * request fails at the client, every answered request has exactly one event in Elasticsearch,
 * the webhook receiver gets exactly the expected notifications, once each.
 */
const url = inject('elasticsearchUrl');
if (!url && process.env.CI === 'true') throw new Error(`no test Elasticsearch in CI: ${inject('elasticsearchProblem')}`);

const runId = `fmt${randomUUID().slice(0, 8)}`;
const index = `hardening-requests-${runId}`;
const logs: string[] = [];

function run(scenario: Scenario): Promise<ScenarioResult> {
  return runScenario(scenario, { elasticsearch: externalElasticsearch(url), index, runId, durationS: 15, rate: 50, log: (message) => logs.push(message) });
}

function expectTargets(result: ScenarioResult): void {
  const context = `${result.name}: ${result.reasons.join('; ')} | ${result.notes.join('; ')} | ${logs.filter((line) => line.includes(result.name)).slice(-5).join(' / ')}`;
  expect(result.verdict, context).toBe('PASS');
  expect(result.client.getErrors, context).toBe(0);
  expect(result.events.lost, context).toBe(0);
  expect(result.events.duplicated, context).toBe(0);
  expect(result.events.expected, context).toBeGreaterThan(500);
  expect(result.notifications.received, context).toEqual(result.notifications.expected);
  expect(result.notifications.duplicated, context).toBe(0);
}

describe.skipIf(!url)('fault matrix (bounded)', () => {
  afterAll(async () => {
    await fetch(`${url}/${index}-*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${url}/_index_template/${index}`, { method: 'DELETE' }).catch(() => undefined);
  });

  it('an upstream member killed and restarted: retries and health checks hide it from the client, no event lost', async () => {
    expectTargets(await run(upstreamKilled));
  });

  it('20 config reloads under load: no client error, no event lost', async () => {
    const result = await run(proxyReload20x);
    expectTargets(result);
    expect(result.notes.join(' ')).toMatch(/^20 reloads logged by the proxy, .*; 0 rejected/);
  });

  it('the slo-engine killed mid-hold and restarted: the hold resumes, GREEN->ORANGE is notified exactly once', async () => {
    const result = await run(sloEngineKilledMidHold);
    expectTargets(result);
    expect(result.notifications.received).toEqual(['GREEN->ORANGE']);
  });

  it('the proxy stopped with SIGTERM and restarted: the gap is only refused connections, no answered request loses its event', async () => {
    const result = await run(proxySigtermRestart);
    expectTargets(result);
    expect(result.client.otherErrors).toBe(0);
    // A single instance has a gap (production runs two behind keepalived); it must be short.
    expect(result.recoveryS).toBeLessThan(10);
  });
});
