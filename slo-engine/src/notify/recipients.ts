import { createHash } from 'node:crypto';
import { EngineError } from '../engine-error.ts';
import type { Owners } from '../model/slo.ts';
import type { Delivery } from '../persistence/engine-store.ts';
import type { Audience } from '../state/state-machine.ts';
import type { DeliveryChannel, SloNotification } from './notification.ts';

/**
 * Owners in an SLO spec are strings: an e-mail address (anything with "@", also
 * `Name <address>`) or the name of a configured webhook. This file turns an audience into
 * deliveries and checks owners at startup.
 */

/** One place a notification goes. */
export interface Recipient {
  readonly channel: DeliveryChannel;
  /** The webhook name, or the e-mail address as written. */
  readonly target: string;
}

/** What owners can resolve to: the configured webhooks and whether e-mail is configured. */
export interface RecipientDirectory {
  readonly webhookNames: ReadonlySet<string>;
  readonly emailConfigured: boolean;
}

/** An owner that resolves to nothing, with why. */
export interface UnknownOwner {
  readonly slo: string;
  readonly owner: string;
  readonly reason: string;
}

/** The recipient an owner string names, or why it names none. */
export function resolveOwner(owner: string, directory: RecipientDirectory): Recipient | { readonly unknown: string } {
  const target = owner.trim();
  if (target.includes('@')) {
    return directory.emailConfigured ? { channel: 'email', target } : { unknown: `"${target}" is an e-mail address but no "email" (SMTP) is configured` };
  }
  if (directory.webhookNames.has(target)) return { channel: 'webhook', target };
  const known = [...directory.webhookNames].map((name) => `"${name}"`).join(', ') || 'none';
  return { unknown: `"${target}" is neither an e-mail address (no "@") nor a configured webhook (webhooks: ${known})` };
}

/** The owners an audience reaches: SLI owners, or SLO then SLI owners. */
export function audienceOwners(owners: Owners, audience: Audience): readonly string[] {
  return audience === 'sli' ? owners.sli : [...owners.slo, ...owners.sli];
}

/**
 * The distinct recipients of an audience, in owner order (an address or webhook named in both
 * lists, or twice, is reached once; addresses compare case-insensitively), and the owners that
 * resolve to nothing.
 */
export function resolveRecipients(
  owners: Owners,
  audience: Audience,
  directory: RecipientDirectory,
): { readonly recipients: readonly Recipient[]; readonly unknown: readonly { readonly owner: string; readonly reason: string }[] } {
  const recipients: Recipient[] = [];
  const unknown: { owner: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const owner of audienceOwners(owners, audience)) {
    const resolved = resolveOwner(owner, directory);
    if ('unknown' in resolved) {
      if (!unknown.some((u) => u.owner === owner)) unknown.push({ owner, reason: resolved.unknown });
      continue;
    }
    const key = `${resolved.channel}:${resolved.channel === 'email' ? resolved.target.toLowerCase() : resolved.target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    recipients.push(resolved);
  }
  return { recipients, unknown };
}

/** Stable delivery id: `msg_` + 32 hex digits of SHA-256 over the notification id, channel and target. */
export function deliveryId(notificationId: string, channel: DeliveryChannel, target: string): string {
  return `msg_${createHash('sha256').update(`${notificationId}\n${channel}\n${target}`).digest('hex').slice(0, 32)}`;
}

/**
 * The pending deliveries of a notification to its audience among `owners`, due at `now`, and
 * one `SLO_NOTIFY_UNKNOWN_RECIPIENT` error per owner that resolves to nothing (the others are
 * still delivered). Ids are stable, so a replica or a restart deriving the same notification
 * derives the same deliveries.
 */
export function createDeliveries(
  notification: SloNotification,
  owners: Owners,
  directory: RecipientDirectory,
  now: number,
): { readonly deliveries: readonly Delivery[]; readonly problems: readonly EngineError[] } {
  const { recipients, unknown } = resolveRecipients(owners, notification.audience, directory);
  const deliveries = recipients.map(
    ({ channel, target }): Delivery => ({
      id: deliveryId(notification.id, channel, target),
      notification,
      channel,
      target,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      deliveredAt: null,
    }),
  );
  const problems = unknown.map(
    ({ owner, reason }) =>
      new EngineError('SLO_NOTIFY_UNKNOWN_RECIPIENT', `SLO "${notification.slo.name}": owner ${reason}; it is not notified`, {
        slo: notification.slo.name,
        owner,
        notification: notification.id,
      }),
  );
  return { deliveries, problems };
}

/** Every owner of every SLO that resolves to nothing. */
export function findUnknownOwners(slos: readonly { readonly name: string; readonly owners: Owners }[], directory: RecipientDirectory): UnknownOwner[] {
  const found: UnknownOwner[] = [];
  for (const slo of slos) {
    const { unknown } = resolveRecipients(slo.owners, 'slo+sli', directory);
    for (const { owner, reason } of unknown) found.push({ slo: slo.name, owner, reason });
  }
  return found;
}

/**
 * Startup check: throws `EngineError('SLO_NOTIFY_UNKNOWN_RECIPIENT')` naming every SLO and owner
 * that resolves to nothing, so a bad config is rejected before the engine runs.
 */
export function checkOwners(slos: readonly { readonly name: string; readonly owners: Owners }[], directory: RecipientDirectory): void {
  const unknown = findUnknownOwners(slos, directory);
  if (unknown.length === 0) return;
  const lines = unknown.map((u) => `  - SLO "${u.slo}": owner ${u.reason}`).join('\n');
  throw new EngineError('SLO_NOTIFY_UNKNOWN_RECIPIENT', `${unknown.length} SLO owner(s) cannot be notified:\n${lines}`, { unknown });
}
