import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../engine-error.ts';
import { notifiersConfigSchema, recipientDirectory, resolveNotifiersConfig } from './notifiers-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'notifiers-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('notifiers config', () => {
  it('applies defaults', () => {
    const config = notifiersConfigSchema.parse({ webhooks: [{ name: 'oncall', url: 'https://hooks.example.com/slo' }] });
    expect(config.webhooks[0]).toMatchObject({ format: 'standard', timeout: '10s', headers: {} });
    expect(config.delivery).toEqual({ maxAttempts: 8, initialBackoff: '30s', maxBackoff: '1h', backoffFactor: 2, maxRetryAfter: '1h', concurrency: 8, perTargetConcurrency: 2 });
    const resolved = resolveNotifiersConfig(config, { env: {} });
    expect(resolved.webhooks[0]).toEqual({ name: 'oncall', url: 'https://hooks.example.com/slo', secrets: [], format: 'standard', timeoutMs: 10_000, headers: {} });
    expect(resolved.retry).toEqual({ maxAttempts: 8, initialBackoffMs: 30_000, maxBackoffMs: 3_600_000, factor: 2, maxRetryAfterMs: 3_600_000 });
    expect(resolved.email).toBeUndefined();
  });

  it('reads secrets from environment variables and files, several for a rotation', () => {
    writeFileSync(join(dir, 'smtp-password'), 'p@ss word\n');
    writeFileSync(join(dir, 'hook-secret'), 'whsec_bmV3 whsec_b2xk\n');
    const config = notifiersConfigSchema.parse({
      webhooks: [
        { name: 'a', url: 'http://127.0.0.1:1/a', secretEnv: 'HOOK_A_SECRET', format: 'alertmanager', timeout: '2s', headers: { 'X-Team': 'sre' } },
        { name: 'b', url: 'http://127.0.0.1:1/b', secretFile: 'hook-secret' },
      ],
      email: { from: 'SLO <slo@example.com>', smtp: { host: 'smtp.example.com', user: 'slo', passwordFile: join(dir, 'smtp-password') } },
      delivery: { maxAttempts: 3, initialBackoff: '500ms', maxBackoff: '5s' },
    });
    const resolved = resolveNotifiersConfig(config, { env: { HOOK_A_SECRET: 'whsec_c2VjcmV0' }, baseDir: dir });
    expect(resolved.webhooks.map((w) => w.secrets)).toEqual([['whsec_c2VjcmV0'], ['whsec_bmV3', 'whsec_b2xk']]);
    expect(resolved.webhooks[0]).toMatchObject({ format: 'alertmanager', timeoutMs: 2_000, headers: { 'X-Team': 'sre' } });
    expect(resolved.email).toEqual({
      from: 'SLO <slo@example.com>',
      smtp: { host: 'smtp.example.com', port: 587, secure: false, requireTls: false, timeoutMs: 30_000, user: 'slo', password: 'p@ss word' },
    });
    expect(resolved.retry).toMatchObject({ maxAttempts: 3, initialBackoffMs: 500, maxBackoffMs: 5_000 });
    expect(recipientDirectory(resolved)).toEqual({ webhookNames: new Set(['a', 'b']), emailConfigured: true });
  });

  it('names every missing variable and unreadable file, never a secret', () => {
    const config = notifiersConfigSchema.parse({
      webhooks: [{ name: 'a', url: 'http://127.0.0.1:1/a', secretEnv: 'MISSING_HOOK_SECRET' }],
      email: { from: 'slo@example.com', smtp: { host: 'smtp.example.com', secure: true, user: 'slo', passwordFile: 'no-such-file' } },
    });
    let thrown: unknown;
    try {
      resolveNotifiersConfig(config, { env: {}, baseDir: dir, file: 'engine.yaml' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EngineError);
    expect(thrown).toMatchObject({ code: 'SLO_ENGINE_CONFIG_INVALID' });
    const message = (thrown as Error).message;
    expect(message).toContain('engine.yaml');
    expect(message).toContain('webhooks[0].secretEnv: environment variable MISSING_HOOK_SECRET is not set');
    expect(message).toContain(`email.smtp.passwordFile: cannot read ${join(dir, 'no-such-file')} (ENOENT)`);
  });

  it('rejects bad values with the path of each', () => {
    const result = notifiersConfigSchema.safeParse({
      webhooks: [
        { name: 'ops@example', url: 'ftp://x', secretEnv: 'A', secretFile: 'b', timeout: 'soon', headers: { 'Webhook-Signature': 'x' } },
        { name: 'dup', url: 'http://127.0.0.1:1' },
        { name: 'dup', url: 'http://127.0.0.1:2' },
      ],
      email: { from: 'nobody', smtp: { host: 'h', passwordEnv: 'P' } },
      delivery: { maxAttempts: 0, initialBackoff: '1h', maxBackoff: '1m' },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        'webhooks.0.name',
        'webhooks.0.url',
        'webhooks.0.timeout',
        'webhooks.0.headers.Webhook-Signature',
        'webhooks.2.name',
        'email.from',
        'email.smtp.user',
        'delivery.maxAttempts',
      ]),
    );
  });
});
