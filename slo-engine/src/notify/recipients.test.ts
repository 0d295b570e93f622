import { describe, expect, it } from 'vitest';
import { sampleNotification } from '../../test/notify-fixtures.ts';
import { EngineError } from '../engine-error.ts';
import { checkOwners, createDeliveries, deliveryId, findUnknownOwners, resolveOwner, resolveRecipients } from './recipients.ts';

const directory = { webhookNames: new Set(['oncall', 'chatops']), emailConfigured: true };
const owners = { sli: ['api-team@example.com', 'oncall'], slo: ['sre-lead@example.com', 'oncall', 'API-TEAM@example.com'] };

describe('recipients', () => {
  it('reads an owner with "@" as an e-mail address and any other as a webhook name', () => {
    expect(resolveOwner('a@example.com', directory)).toEqual({ channel: 'email', target: 'a@example.com' });
    expect(resolveOwner('SRE <sre@example.com>', directory)).toEqual({ channel: 'email', target: 'SRE <sre@example.com>' });
    expect(resolveOwner('oncall', directory)).toEqual({ channel: 'webhook', target: 'oncall' });
    expect(resolveOwner('pager', directory)).toEqual({ unknown: expect.stringContaining('"pager" is neither an e-mail address') });
  });

  it('reaches the SLI owners for the sli audience', () => {
    const { recipients, unknown } = resolveRecipients(owners, 'sli', directory);
    expect(recipients).toEqual([
      { channel: 'email', target: 'api-team@example.com' },
      { channel: 'webhook', target: 'oncall' },
    ]);
    expect(unknown).toEqual([]);
  });

  it('reaches SLO and SLI owners once each for the slo+sli audience', () => {
    const { recipients } = resolveRecipients(owners, 'slo+sli', directory);
    expect(recipients).toEqual([
      { channel: 'email', target: 'sre-lead@example.com' },
      { channel: 'webhook', target: 'oncall' },
      { channel: 'email', target: 'API-TEAM@example.com' },
    ]);
  });

  it('flags e-mail owners when no SMTP is configured', () => {
    const noEmail = { webhookNames: new Set(['oncall']), emailConfigured: false };
    expect(resolveRecipients(owners, 'sli', noEmail).unknown).toEqual([{ owner: 'api-team@example.com', reason: expect.stringContaining('no "email" (SMTP) is configured') }]);
  });

  it('derives a stable msg_ delivery id per notification, channel and target', () => {
    const id = deliveryId('msg_1', 'webhook', 'oncall');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(deliveryId('msg_1', 'webhook', 'oncall')).toBe(id);
    expect(deliveryId('msg_2', 'webhook', 'oncall')).not.toBe(id);
    expect(deliveryId('msg_1', 'webhook', 'chatops')).not.toBe(id);
    expect(deliveryId('msg_1', 'email', 'oncall')).not.toBe(id);
  });

  it('creates one pending delivery per recipient and reports unknown owners', () => {
    const notification = sampleNotification({ audience: 'slo+sli' });
    const { deliveries, problems } = createDeliveries(notification, { sli: ['oncall', 'pager'], slo: ['lead@example.com'] }, directory, 1_000);
    expect(deliveries.map((d) => [d.channel, d.target])).toEqual([
      ['email', 'lead@example.com'],
      ['webhook', 'oncall'],
    ]);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 1_000, createdAt: 1_000, lastError: null, deliveredAt: null, notification });
      expect(delivery.id).toBe(deliveryId(notification.id, delivery.channel, delivery.target));
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBeInstanceOf(EngineError);
    expect(problems[0]).toMatchObject({ code: 'SLO_NOTIFY_UNKNOWN_RECIPIENT', details: { slo: 'api-availability', owner: 'pager' } });
  });

  it('rejects a config at startup naming every SLO and unknown owner', () => {
    const slos = [
      { name: 'api-availability', owners: { sli: ['oncall'], slo: ['pagerduty'] } },
      { name: 'checkout-latency', owners: { sli: ['chat-ops'], slo: [] } },
      { name: 'fine', owners: { sli: ['x@example.com'], slo: ['chatops'] } },
    ];
    expect(findUnknownOwners(slos, directory).map((u) => [u.slo, u.owner])).toEqual([
      ['api-availability', 'pagerduty'],
      ['checkout-latency', 'chat-ops'],
    ]);
    let thrown: unknown;
    try {
      checkOwners(slos, directory);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EngineError);
    expect((thrown as EngineError).code).toBe('SLO_NOTIFY_UNKNOWN_RECIPIENT');
    expect((thrown as EngineError).message).toContain('SLO "api-availability": owner "pagerduty" is neither');
    expect((thrown as EngineError).message).toContain('SLO "checkout-latency": owner "chat-ops"');
    expect(() => checkOwners([slos[2] as (typeof slos)[number]], directory)).not.toThrow();
  });
});
