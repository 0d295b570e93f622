import { EmailNotifier } from './email-notifier.ts';
import type { Notifier } from './notification.ts';
import type { ResolvedNotifiersConfig } from './notifiers-config.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

/** The notifiers of a resolved config, for the dispatcher, and how to close them. */
export interface Notifiers {
  /** A webhook notifier (when webhooks are configured) and an e-mail notifier (when `email` is). */
  readonly notifiers: readonly Notifier[];
  readonly webhook: WebhookNotifier | undefined;
  readonly email: EmailNotifier | undefined;
  /** Closes HTTP connections and the SMTP transport. */
  close(): Promise<void>;
}

/**
 * Builds the notifiers a resolved config describes.
 *
 * @example
 * const config = resolveNotifiersConfig(engineConfig);
 * checkOwners(slos, recipientDirectory(config));
 * const { notifiers, close } = createNotifiers(config);
 * const dispatcher = new DeliveryDispatcher({ store, notifiers, holder, retry: config.retry, concurrency: config.concurrency, perTargetConcurrency: config.perTargetConcurrency, logger });
 */
export function createNotifiers(config: Pick<ResolvedNotifiersConfig, 'webhooks' | 'email'>, options: { readonly externalUrl?: string; readonly clock?: () => number } = {}): Notifiers {
  const webhook =
    config.webhooks.length > 0
      ? new WebhookNotifier({
          webhooks: config.webhooks,
          ...(options.externalUrl !== undefined && { externalUrl: options.externalUrl }),
          ...(options.clock !== undefined && { clock: options.clock }),
        })
      : undefined;
  const email = config.email === undefined ? undefined : new EmailNotifier(config.email);
  const notifiers: Notifier[] = [];
  if (webhook !== undefined) notifiers.push(webhook);
  if (email !== undefined) notifiers.push(email);
  return {
    notifiers,
    webhook,
    email,
    async close() {
      email?.close();
      await webhook?.close();
    },
  };
}
