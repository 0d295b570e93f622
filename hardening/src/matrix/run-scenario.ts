import { auditEvents, type EventAudit } from '../audit/event-audit.ts';
import { auditNotifications, type NotificationAudit } from '../audit/notification-audit.ts';
import type { ClientFailure } from '../load/request-ledger.ts';
import { startSteadyLoad, type SteadyLoad } from '../load/steady-load.ts';
import { SHOP_HOST, startFaultStack, type FaultStack } from '../stack/fault-stack.ts';
import type { OwnElasticsearch } from '../stack/own-elasticsearch.ts';
import { sleep, until, type FaultOutcome, type Scenario } from './scenario.ts';
import type { ScenarioResult } from './scenario-result.ts';

export interface RunScenarioOptions {
  readonly elasticsearch: OwnElasticsearch;
  /** Write alias of the request events for the whole run. */
  readonly index: string;
  /** Unique per run: prefixes request ids. */
  readonly runId: string;
  readonly durationS: number;
  readonly rate: number;
  log(message: string): void;
}

const WARM_UP_MS = 5_000;
/** After the fault phase, traffic keeps flowing this long so recovery is seen under load. */
const TAIL_MS = 5_000;
/** Longest the telemetry may take to drain after the load stopped. */
const DRAIN_TIMEOUT_MS = 180_000;
/** How long the engine gets to deliver (or not) notifications once the events are in. */
const NOTIFICATION_SETTLE_MS = 5_000;

/**
 * Runs one scenario: its own stack (members, proxy, engine, receiver) on the shared
 * Elasticsearch, steady load with ids, the fault, then the audits. Never throws: a scenario
 * that breaks is an ERROR row naming what broke.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  const service = `fm-${scenario.name}`;
  const sloName = `${service}-slo`;
  const log = (message: string): void => options.log(`[${scenario.name}] ${message}`);
  const durationMs = options.durationS * 1_000;
  let stack: FaultStack | undefined;
  let load: SteadyLoad | undefined;
  try {
    log('starting the stack');
    stack = await startFaultStack({
      esUrl: options.elasticsearch.url,
      index: options.index,
      service,
      members: scenario.members,
      slos: [{ ...scenario.slo, name: sloName, service }],
      ...(scenario.serviceOverrides ? { serviceOverrides: scenario.serviceOverrides } : {}),
      ...(scenario.relayed ? { relayed: scenario.relayed } : {}),
    });
    const started = Date.now();
    load = startSteadyLoad({
      url: stack.proxyUrl,
      host: SHOP_HOST,
      ratePerSecond: options.rate,
      // A hard bound: the fault phase may outlast the duration (an Elasticsearch restart).
      maxDurationMs: durationMs + 600_000,
      maxRequests: Math.ceil(options.rate * (options.durationS + 600)),
      idPrefix: `${options.runId}-${scenario.name}`,
    });
    if (scenario.injectedErrorShare !== undefined) load.setInjectedErrorShare(scenario.injectedErrorShare);
    await sleep(WARM_UP_MS);
    const faultAt = Date.now();
    log('fault');
    const outcome: FaultOutcome = await scenario.inject({
      stack,
      load,
      elasticsearch: options.elasticsearch,
      sloName,
      faultPhaseMs: Math.max(5_000, durationMs - WARM_UP_MS - TAIL_MS),
      log,
    });
    await sleep(Math.max(TAIL_MS, started + durationMs - Date.now()));
    await load.stop();
    const runS = (Date.now() - started) / 1_000;
    log(`load stopped after ${runS.toFixed(0)} s: ${load.ledger.count} requests; waiting for the telemetry to drain`);
    const drained = await stack.waitForTelemetryDrained(DRAIN_TIMEOUT_MS);
    const events = await auditEvents(options.elasticsearch.url, options.index, load.ledger);
    const notifications = await settleNotifications(stack, sloName, scenario.expectedNotifications);
    const result = assess(scenario, load, events, notifications, outcome, faultAt, runS, options.rate);
    result.notes.push(`telemetry counters of the last proxy process: emitted ${drained.emitted}, delivered ${drained.delivered}, spooled ${drained.spooled}, replayed ${drained.replayed}, dropped ${drained.dropped}`);
    log(`${result.verdict}${result.reasons.length ? `: ${result.reasons.join('; ')}` : ''}`);
    return result;
  } catch (error) {
    log(`ERROR: ${(error as Error).stack ?? String(error)}`);
    await load?.stop().catch(() => undefined);
    return errorRow(scenario, options, error as Error, load);
  } finally {
    await stack?.stop().catch((error: unknown) => log(`stopping the stack failed: ${String(error)}`));
  }
}

/** Waits until the expected notifications arrived (or a bound), then a little more for strays. */
async function settleNotifications(stack: FaultStack, sloName: string, expected: readonly string[]): Promise<NotificationAudit> {
  if (expected.length > 0) {
    await until('the expected notifications', () => (auditNotifications(stack.receiver, sloName, expected).missed.length === 0 ? true : undefined), 30_000).catch(() => undefined);
  }
  await sleep(NOTIFICATION_SETTLE_MS);
  return auditNotifications(stack.receiver, sloName, expected);
}

function kindsOf(failures: readonly ClientFailure[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const failure of failures) {
    const key = `${failure.method} ${failure.code}`;
    kinds[key] = (kinds[key] ?? 0) + 1;
  }
  return kinds;
}

/** `second:count` for each second (since the fault) with errors, e.g. `0:12 1:3 14:1`. */
function errorTimeline(failures: readonly ClientFailure[], faultAt: number): string {
  const bySecond = new Map<number, number>();
  for (const failure of failures) {
    const second = Math.floor((failure.endedAt - faultAt) / 1_000);
    bySecond.set(second, (bySecond.get(second) ?? 0) + 1);
  }
  return [...bySecond].sort(([a], [b]) => a - b).map(([second, count]) => `${second}:${count}`).join(' ');
}

type MutableResult = ScenarioResult & { reasons: string[]; notes: string[] };

function assess(
  scenario: Scenario,
  load: SteadyLoad,
  events: EventAudit,
  notifications: NotificationAudit,
  outcome: FaultOutcome,
  faultAt: number,
  runS: number,
  rate: number,
): MutableResult {
  const summary = load.ledger.summary();
  const unexpected = load.ledger.unexpectedFailures();
  const gap = outcome.gap;
  const inGap = (failure: ClientFailure): boolean => gap !== undefined && failure.endedAt >= gap.from && failure.sentAt <= gap.to;
  const outside = unexpected.filter((failure) => !inGap(failure));
  const getErrors = outside.filter((failure) => failure.method === 'GET').length;
  const otherErrors = outside.length - getErrors;
  const lastError = outside.reduce((last, failure) => Math.max(last, failure.endedAt), 0);
  const recoveryS = outcome.recoveryS ?? (lastError === 0 ? 0 : (lastError - faultAt) / 1_000);
  const reasons: string[] = [];
  if (getErrors > 0) reasons.push(`${getErrors} idempotent GET requests failed at the client`);
  if (events.lost > 0) reasons.push(`${events.lost} answered requests have no event in Elasticsearch (e.g. ${events.lostSample.slice(0, 3).join(', ')})`);
  if (events.duplicated > 0) reasons.push(`${events.duplicated} requests have more than one event`);
  if (notifications.missed.length > 0) reasons.push(`missed notifications: ${notifications.missed.join(', ')}`);
  if (notifications.unexpected.length > 0) {
    // With client errors, an alert is the SLO seeing them: reported, but not a notification fault.
    const cause = outside.length > 0 ? ` (the SLO reacting to the ${outside.length} client errors)` : '';
    reasons.push(`unexpected notifications: ${notifications.unexpected.join(', ')}${cause}`);
  }
  if (notifications.duplicated > 0) reasons.push(`${notifications.duplicated} notifications delivered more than once`);
  if (notifications.unverified > 0) reasons.push(`${notifications.unverified} deliveries with a bad signature`);
  if (summary.pending > 0) reasons.push(`${summary.pending} requests never ended at the client`);
  const notes = [...outcome.notes];
  if (otherErrors > 0) notes.push(`${otherErrors} POST requests failed (not retried by design: not idempotent)`);
  if (gap !== undefined) notes.push(`gap: ${unexpected.length - outside.length} requests failed in the expected gap of ${((gap.to - gap.from) / 1_000).toFixed(2)} s`);
  if (outside.length > 0) notes.push(`client errors by second after the fault: ${errorTimeline(outside, faultAt)}`);
  if (events.storedWithoutResponse > 0) notes.push(`${events.storedWithoutResponse} requests without a response at the client still have their event`);
  return {
    name: scenario.name,
    title: scenario.title,
    durationS: Math.round(runS),
    rate,
    client: { sent: summary.sent, answered: summary.answered, injected: summary.injected, getErrors, otherErrors, gapErrors: unexpected.length - outside.length, errorKinds: kindsOf(outside) },
    events,
    notifications,
    recoveryS: Math.round(recoveryS * 100) / 100,
    recoveryMeaning: scenario.recoveryMeaning,
    verdict: reasons.length === 0 ? 'PASS' : 'FAIL',
    reasons,
    notes,
  };
}

function errorRow(scenario: Scenario, options: RunScenarioOptions, error: Error, load: SteadyLoad | undefined): ScenarioResult {
  const summary = load?.ledger.summary();
  return {
    name: scenario.name,
    title: scenario.title,
    durationS: options.durationS,
    rate: options.rate,
    client: { sent: summary?.sent ?? 0, answered: summary?.answered ?? 0, injected: summary?.injected ?? 0, getErrors: summary?.getErrors ?? 0, otherErrors: summary?.otherErrors ?? 0, gapErrors: 0, errorKinds: load ? kindsOf(load.ledger.unexpectedFailures()) : {} },
    events: { expected: 0, stored: 0, lost: 0, duplicated: 0, storedWithoutResponse: 0, lostSample: [] },
    notifications: { expected: scenario.expectedNotifications, received: [], duplicated: 0, unverified: 0, missed: [], unexpected: [] },
    recoveryS: Number.NaN,
    recoveryMeaning: scenario.recoveryMeaning,
    verdict: 'ERROR',
    reasons: [error.message.split('\n')[0] ?? String(error)],
    notes: [],
  };
}
