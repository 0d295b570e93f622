import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { spawnJsonLoggingProcess } from '../../scripts/test/json-logging-process.ts';
import type { SloView } from '../src/engine/slo-view.ts';
import type { Delivery } from '../src/persistence/engine-store.ts';
import { writeWithProxySink } from './event-source-seeding.ts';
import { spawnSloEngine, type SpawnedSloEngine } from './spawn-slo-engine.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';
import { recentEvents } from './recent-events.ts';

/*
 * Bad input to the engine as a real process: a broken spec or config stops it at start with a
 * coded message naming the file, line and path; an unknown service, an unreachable store and an
 * unreachable SMTP server are reported while everything else keeps being evaluated.
 */
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const running: SpawnedSloEngine[] = [];
const receivers: WebhookReceiver[] = [];

afterEach(async () => {
  for (const engine of running.splice(0)) await engine.kill();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/** Runs the engine on files written into a new folder and resolves with its exit code and stderr. */
async function runUntilExit(config: object, specText: string): Promise<{ code: number | null; stderr: string; logs: Record<string, unknown>[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-bad-'));
  writeFileSync(join(dir, 'slos.yaml'), specText);
  writeFileSync(join(dir, 'engine.yaml'), stringify({ listen: { host: '127.0.0.1', port: 0 }, slos: 'slos.yaml', state: { type: 'sqlite', path: join(dir, 'engine.sqlite') }, ...config }));
  const engine = spawnJsonLoggingProcess('slo-engine', [MAIN, '--config', join(dir, 'engine.yaml')]);
  const code = await Promise.race([engine.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running: ${engine.stderr()}`)), 20_000))]);
  return { code, stderr: engine.stderr(), logs: engine.logs };
}


const availability = (name: string, service: string, extra: object = {}) => ({ name, service, indicator: { type: 'availability' }, objective: 0.9, window: '5m', hold: '0s', ...extra });

async function slos(engine: SpawnedSloEngine): Promise<SloView[]> {
  return ((await fetch(`${engine.url}/api/slos`).then((response) => response.json())) as { slos: SloView[] }).slos;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms (${String(last ?? '')})`);
}

describe('slo-engine bad input', () => {
  it('refuses an invalid SLO spec at start, naming the file, line, path and expectation (exit 2)', async () => {
    const result = await runUntilExit({}, 'slos:\n  - name: api\n    service: api\n    indicator: { type: latency }\n    objective: 1.5\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/slos\.yaml/);
    expect(result.stderr).toMatch(/slos\[0\]\.indicator\.thresholdMs|slos\.0\.indicator\.thresholdMs/);
    expect(result.stderr).toMatch(/objective/);
    expect(result.stderr).toMatch(/line 4|:4/);
    expect(result.logs.some((line) => line.code === 'SLO_SPEC_INVALID')).toBe(true);
  });

  it('refuses an owner that is neither an e-mail address with e-mail configured nor a webhook (exit 2)', async () => {
    const result = await runUntilExit({}, stringify({ slos: [availability('api', 'api', { owners: { sli: ['nobody'] } })] }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nobody/);
    expect(result.stderr).toMatch(/api/);
    expect(result.logs.some((line) => line.code === 'SLO_NOTIFY_UNKNOWN_RECIPIENT')).toBe(true);
  });

  it('refuses a config naming a secret variable that is not set (exit 2)', async () => {
    const result = await runUntilExit({ webhooks: [{ name: 'oncall', url: 'http://127.0.0.1:9/hook', secretEnv: 'LOOKOUT_TEST_UNSET_SECRET' }] }, stringify({ slos: [availability('api', 'api')] }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/LOOKOUT_TEST_UNSET_SECRET/);
  });

  it('warns about an unknown service, shows it NODATA, and evaluates the other SLOs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-unknown-'));
    await writeWithProxySink(join(dir, 'telemetry.sqlite'), recentEvents('checkout', 200, 0, 9_000));
    const engine = await spawnSloEngine({ tick: '1s', events: { type: 'embedded', path: join(dir, 'telemetry.sqlite') }, state: { type: 'sqlite', path: join(dir, 'engine.sqlite') } }, { slos: [availability('checkout-ok', 'checkout'), availability('typo', 'chekout')] }, { dir });
    running.push(engine);
    const health = await eventually('the unknown-service warning', async () => {
      const body = (await fetch(`${engine.url}/health`).then((response) => response.json())) as { warnings: { code: string; slo: string; value: string }[] };
      return body.warnings.length > 0 ? body : undefined;
    });
    expect(health.warnings).toEqual([{ code: 'SLO_UNKNOWN_SERVICE', slo: 'typo', field: 'service', value: 'chekout' }]);
    const views = await eventually('both SLOs evaluated', async () => {
      const all = await slos(engine);
      return all.every((view) => view.evaluatedAt !== null) ? all : undefined;
    });
    expect(views.find((view) => view.slo.name === 'checkout-ok')?.status).toBe('GREEN');
    expect(views.find((view) => view.slo.name === 'typo')?.status).toBe('NODATA');
    await engine.waitForLog((line) => line.code === 'SLO_UNKNOWN_SERVICE' && line.slo === 'typo');
  });

  it('keeps running with an unreachable Elasticsearch, each SLO showing the coded error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-unreachable-'));
    const engine = await spawnSloEngine(
      { tick: '1s', events: { type: 'elasticsearch', node: 'http://127.0.0.1:1', requestTimeout: '2s' }, state: { type: 'sqlite', path: join(dir, 'engine.sqlite') }, outputs: { elasticsearch: false } },
      { slos: [availability('a', 'checkout'), availability('b', 'payments')] },
      { dir },
    );
    running.push(engine);
    const views = await eventually('errors on every SLO', async () => {
      const all = await slos(engine);
      return all.every((view) => view.error !== null) ? all : undefined;
    });
    for (const view of views) {
      expect(view.error?.code).toBe('SLO_STORE_UNREACHABLE');
      expect(view.error?.message).toMatch(/127\.0\.0\.1:1/);
      expect(view.status).toBe('NODATA');
    }
    await engine.waitForLog((line) => line.code === 'SLO_STORE_UNREACHABLE');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(engine.process.exitCode).toBeNull();
    expect((await fetch(`${engine.url}/health`)).status).toBe(200);
  });

  it('keeps delivering webhooks while the SMTP server is unreachable; e-mails wait with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-engine-smtp-'));
    await writeWithProxySink(join(dir, 'telemetry.sqlite'), recentEvents('checkout', 200, 100, 9_000));
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const engine = await spawnSloEngine(
      {
        tick: '1s',
        events: { type: 'embedded', path: join(dir, 'telemetry.sqlite') },
        state: { type: 'sqlite', path: join(dir, 'engine.sqlite') },
        webhooks: [{ name: 'oncall', url: receiver.url }],
        email: { from: 'SLO engine <slo@lookout.test>', smtp: { host: '127.0.0.1', port: 1, timeout: '2s' } },
        delivery: { initialBackoff: '1s', maxBackoff: '2s' },
      },
      { slos: [availability('checkout', 'checkout', { owners: { sli: ['oncall', 'sre@lookout.test'], slo: ['lead@lookout.test'] } })] },
      { dir },
    );
    running.push(engine);
    await eventually('the red webhook', async () => (receiver.requests.some((request) => request.body.includes('"to":"RED"')) ? true : undefined));
    const pending = await eventually('e-mail deliveries failing', async () => {
      const body = (await fetch(`${engine.url}/api/deliveries?status=pending`).then((response) => response.json())) as { deliveries: Delivery[] };
      const mails = body.deliveries.filter((delivery) => delivery.channel === 'email' && delivery.attempts > 0);
      return mails.length >= 2 ? mails : undefined;
    });
    expect(pending.map((delivery) => delivery.target).sort()).toEqual(['lead@lookout.test', 'sre@lookout.test']);
    for (const delivery of pending) expect(delivery.lastError).toMatch(/127\.0\.0\.1|ECONNREFUSED|connect/i);
    await engine.waitForLog((line) => line.code === 'SLO_NOTIFY_EMAIL_FAILED');
    expect(engine.process.exitCode).toBeNull();
  });
});
