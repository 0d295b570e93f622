import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryDispatcher } from '../src/notify/delivery-dispatcher.ts';
import { EmailNotifier, type EmailSettings } from '../src/notify/email-notifier.ts';
import { createDeliveries } from '../src/notify/recipients.ts';
import { retryPolicy } from '../src/notify/retry-policy.ts';
import { CapturingLogger } from './notify-capturing-logger.ts';
import { startSmtpServer, type TestSmtpServer } from './email-smtp-server.ts';
import { sampleNotification } from './notify-fixtures.ts';
import { MemoryEngineStore } from './notify-memory-engine-store.ts';
import { waitFor } from './notify-wait-for.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function smtpServer(options: Parameters<typeof startSmtpServer>[0] = {}, port = 0): Promise<TestSmtpServer> {
  const server = await startSmtpServer(options, port);
  cleanups.push(() => server.close());
  return server;
}

function emailNotifier(port: number, smtp: Partial<EmailSettings['smtp']> = {}): EmailNotifier {
  const notifier = new EmailNotifier({
    from: 'SLO engine <slo@alerts.example.com>',
    smtp: { host: '127.0.0.1', port, secure: false, requireTls: false, timeoutMs: 5_000, ...smtp },
  });
  cleanups.push(() => notifier.close());
  return notifier;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('e-mail delivery to a real SMTP server', () => {
  it('sends one message per recipient with the subject, facts, links and a stable Message-ID', async () => {
    const smtp = await smtpServer();
    const notifier = emailNotifier(smtp.port);
    const store = new MemoryEngineStore();
    const notification = sampleNotification({ timeToExhaustionSeconds: null });
    const owners = { sli: ['api-team@example.com', 'oncall@example.com'], slo: ['sre-lead@example.com', 'api-team@example.com'] };
    const { deliveries, problems } = createDeliveries(notification, owners, { webhookNames: new Set(), emailConfigured: true }, Date.now());
    expect(problems).toEqual([]);
    store.add(...deliveries);
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a' });

    expect(await dispatcher.runOnce()).toMatchObject({ due: 3, delivered: 3 });

    expect(smtp.mails.map((m) => m.rcptTo)).toEqual(expect.arrayContaining([['sre-lead@example.com'], ['api-team@example.com'], ['oncall@example.com']]));
    expect(smtp.mails).toHaveLength(3);
    for (const mail of smtp.mails) {
      const delivery = deliveries.find((d) => d.target === mail.rcptTo[0]);
      expect(mail.mailFrom).toBe('slo@alerts.example.com');
      expect(mail.headers.get('from')).toBe('SLO engine <slo@alerts.example.com>');
      expect(mail.headers.get('to')).toBe(mail.rcptTo[0]);
      expect(mail.headers.get('subject')).toBe('[RED] api-availability: 104 % of error budget consumed');
      expect(mail.headers.get('message-id')).toBe(`<${delivery?.id}@alerts.example.com>`);
      expect(mail.headers.get('x-slo-notification-id')).toBe(notification.id);
      expect(mail.text).toContain('State:              ORANGE -> RED');
      expect(mail.text).toContain('Level:              104 % of error budget consumed');
      expect(mail.text).toContain('Budget remaining:   -4 %');
      expect(mail.text).toContain('Time to exhaustion: exhausted');
      expect(mail.text).toContain('SLO details:        http://127.0.0.1:8090/slos/api-availability');
      expect(mail.text).toContain('Dashboard:          http://127.0.0.1:8090/');
      expect(mail.html).toContain('<a href="http://127.0.0.1:8090/slos/api-availability">');
      expect(mail.html).toContain('Public API answers without server errors');
    }
    expect(store.all().every((d) => d.status === 'delivered')).toBe(true);
  });

  it('keeps the Message-ID across retries of the same delivery', async () => {
    const smtp = await smtpServer();
    const notifier = emailNotifier(smtp.port);
    await notifier.deliver('a@example.com', 'msg_00000000000000000000000000000abc', sampleNotification(), 1);
    await notifier.deliver('a@example.com', 'msg_00000000000000000000000000000abc', sampleNotification(), 2);
    expect(smtp.mails.map((m) => m.headers.get('message-id'))).toEqual(['<msg_00000000000000000000000000000abc@alerts.example.com>', '<msg_00000000000000000000000000000abc@alerts.example.com>']);
  });

  it('logs in with the configured user and password, and never puts the password in an error', async () => {
    const smtp = await smtpServer({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'slo' && auth.password === 's3cret-pa55') callback(null, { user: 'slo' });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
    });
    expect(await emailNotifier(smtp.port, { user: 'slo', password: 's3cret-pa55' }).deliver('a@example.com', 'msg_1', sampleNotification(), 1)).toEqual({ ok: true });
    const refused = await emailNotifier(smtp.port, { user: 'slo', password: 'wrong-pa55word' }).deliver('a@example.com', 'msg_2', sampleNotification(), 1);
    expect(refused).toMatchObject({ ok: false, permanent: true });
    expect(!refused.ok && refused.error).toContain('535');
    expect(!refused.ok && refused.error).not.toContain('wrong-pa55word');
    expect(smtp.mails).toHaveLength(1);
  });

  it('treats a 4xx reply as retryable and a 5xx reply as permanent', async () => {
    const smtp = await smtpServer({
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('busy')) return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
        if (address.address.startsWith('nobody')) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        callback();
      },
    });
    const notifier = emailNotifier(smtp.port);
    const busy = await notifier.deliver('busy@example.com', 'msg_1', sampleNotification(), 1);
    expect(busy).toMatchObject({ ok: false, permanent: false });
    expect(!busy.ok && busy.error).toMatch(/^SMTP server 127\.0\.0\.1:\d+ answered .*451.*sending to busy@example\.com$/);
    const nobody = await notifier.deliver('nobody@example.com', 'msg_2', sampleNotification(), 1);
    expect(nobody).toMatchObject({ ok: false, permanent: true });
    expect(!nobody.ok && nobody.error).toContain('550');
  });

  it('reports an unreachable SMTP server as a retryable failure with a clear error, without crashing', async () => {
    const port = await closedPort();
    const notifier = emailNotifier(port, { timeoutMs: 2_000 });
    const store = new MemoryEngineStore();
    const { deliveries } = createDeliveries(sampleNotification(), { sli: ['a@example.com'], slo: [] }, { webhookNames: new Set(), emailConfigured: true }, Date.now());
    store.add(...deliveries);
    const logger = new CapturingLogger();
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a', logger, retry: retryPolicy({ initialBackoffMs: 1_000 }), random: () => 0.5 });

    const before = Date.now();
    expect(await dispatcher.runOnce()).toMatchObject({ due: 1, retried: 1, dead: 0 });

    const [delivery] = store.all();
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery?.lastError).toMatch(new RegExp(`^SMTP server 127\\.0\\.0\\.1:${port} could not be reached: .*ECONNREFUSED.*sending to a@example\\.com$`));
    expect(delivery?.nextAttemptAt).toBeGreaterThanOrEqual(before + 500);
    const [failure] = logger.withCode('SLO_NOTIFY_EMAIL_FAILED');
    expect(failure).toMatchObject({ level: 'warn', fields: { channel: 'email', target: 'a@example.com', attempt: 1, permanent: false, retryInMs: 500 } });
    expect(dispatcher.counters().retried.email).toBe(1);
  });

  it('delivers once the SMTP server comes back', async () => {
    const port = await closedPort();
    const notifier = emailNotifier(port, { timeoutMs: 2_000 });
    const store = new MemoryEngineStore();
    const { deliveries } = createDeliveries(sampleNotification(), { sli: ['a@example.com'], slo: [] }, { webhookNames: new Set(), emailConfigured: true }, Date.now());
    store.add(...deliveries);
    const dispatcher = new DeliveryDispatcher({ store, notifiers: [notifier], holder: 'a', retry: retryPolicy({ initialBackoffMs: 100, maxBackoffMs: 300 }), pollIntervalMs: 100 });
    dispatcher.start();
    cleanups.push(() => dispatcher.stop());
    await waitFor(() => (store.all()[0]?.attempts ?? 0) >= 2, 'two failed attempts');
    const server = await smtpServer({}, port);
    await waitFor(() => store.all()[0]?.status === 'delivered', 'the delivery after the server returned');
    expect(server.mails).toHaveLength(1);
  });
});
