import { describe, expect, it } from 'vitest';
import { createNotifiers } from './create-notifiers.ts';
import { EmailNotifier } from './email-notifier.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

describe('createNotifiers', () => {
  it('builds one notifier per configured channel', async () => {
    const built = createNotifiers({
      webhooks: [{ name: 'oncall', url: 'http://127.0.0.1:1/x', secrets: [], format: 'standard', timeoutMs: 1_000, headers: {} }],
      email: { from: 'slo@example.com', smtp: { host: '127.0.0.1', port: 1, secure: false, requireTls: false, timeoutMs: 1_000 } },
    });
    expect(built.notifiers.map((n) => n.channel)).toEqual(['webhook', 'email']);
    expect(built.webhook).toBeInstanceOf(WebhookNotifier);
    expect(built.webhook?.names).toEqual(new Set(['oncall']));
    expect(built.email).toBeInstanceOf(EmailNotifier);
    await built.close();
  });

  it('builds none when nothing is configured', async () => {
    const built = createNotifiers({ webhooks: [], email: undefined });
    expect(built.notifiers).toEqual([]);
    await built.close();
  });
});
