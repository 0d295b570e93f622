import type { ConnectionOptions } from 'node:tls';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { DeliveryOutcome, Notifier, SloNotification } from './notification.ts';
import { notificationFacts, notificationSubject } from './notification-text.ts';

/** How to reach the SMTP server. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (SMTPS, usually port 465). */
  readonly secure: boolean;
  /** When not `secure`: refuse to send unless STARTTLS upgrades the connection. Otherwise STARTTLS is used when the server offers it. */
  readonly requireTls: boolean;
  readonly user?: string;
  /** Never logged nor put in an error message. */
  readonly password?: string;
  /** Connect, greeting and socket-idle timeout. */
  readonly timeoutMs: number;
  /** TLS options (e.g. `ca` of an internal relay). */
  readonly tls?: ConnectionOptions;
}

export interface EmailSettings {
  /** The From header, e.g. `SLO engine <slo@example.com>`. */
  readonly from: string;
  readonly smtp: SmtpSettings;
}

/** One rendered message. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const STATE_COLOURS: Readonly<Record<string, string>> = { GREEN: '#2e7d32', ORANGE: '#ef6c00', RED: '#c62828', NODATA: '#616161', PAGE: '#c62828', TICKET: '#ef6c00', RESOLVED: '#2e7d32' };

/** Subject, plain text and HTML of a notification e-mail. */
export function renderEmail(notification: SloNotification, deliveryId: string): RenderedEmail {
  const subject = notificationSubject(notification);
  const facts = notificationFacts(notification);
  const width = Math.max(...facts.map(([label]) => label.length)) + 2;
  const text = [
    subject,
    '',
    ...facts.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`),
    '',
    `Notification ${notification.id}, delivery ${deliveryId}, from the lookout SLO engine.`,
    '',
  ].join('\n');
  const tag = /^\[([A-Z]+)\]/.exec(subject)?.[1] ?? '';
  const colour = STATE_COLOURS[tag] ?? '#333333';
  const rows = facts
    .map(([label, value]) => {
      const shown = /^https?:\/\//.test(value) ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value);
      return `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${shown}</td></tr>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html><body style="font-family:sans-serif;font-size:14px">
<h2 style="color:${colour};margin:0 0 12px">${escapeHtml(subject)}</h2>
<table>
${rows}
</table>
<p style="color:#777;font-size:12px">Notification ${escapeHtml(notification.id)}, delivery ${escapeHtml(deliveryId)}, from the lookout SLO engine.</p>
</body></html>
`;
  return { subject, text, html };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The domain of the From address, for Message-IDs. */
function fromDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  const domain = address.slice(address.lastIndexOf('@') + 1).trim();
  return domain || 'localhost';
}

/**
 * Delivers notifications by e-mail through nodemailer over SMTP: one message per recipient
 * address; `Message-ID: <deliveryId@from-domain>`, the same on every attempt, so a message
 * retried after an uncertain failure is recognised as a duplicate by mail systems that
 * deduplicate on it.
 *
 * Outcomes: accepted → delivered; connection failures, timeouts and SMTP 4xx → retryable;
 * SMTP 5xx (e.g. unknown mailbox, authentication refused) and malformed messages → permanent.
 */
export class EmailNotifier implements Notifier {
  readonly channel = 'email' as const;
  readonly #settings: EmailSettings;
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo>;
  readonly #domain: string;

  constructor(settings: EmailSettings) {
    this.#settings = settings;
    this.#domain = fromDomain(settings.from);
    const { smtp } = settings;
    const options: SMTPTransport.Options = {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
      logger: false,
      debug: false,
    };
    if (smtp.user !== undefined) options.auth = { user: smtp.user, pass: smtp.password ?? '' };
    if (smtp.tls !== undefined) options.tls = smtp.tls;
    this.#transport = createTransport(options);
  }

  /** The Message-ID header of a delivery. */
  messageId(deliveryId: string): string {
    return `<${deliveryId}@${this.#domain}>`;
  }

  async deliver(target: string, deliveryId: string, notification: SloNotification, _attempt?: number): Promise<DeliveryOutcome> {
    const { subject, text, html } = renderEmail(notification, deliveryId);
    const where = `SMTP server ${this.#settings.smtp.host}:${this.#settings.smtp.port}`;
    try {
      const info = await this.#transport.sendMail({
        from: this.#settings.from,
        to: target,
        subject,
        text,
        html,
        messageId: this.messageId(deliveryId),
        headers: { 'X-SLO-Notification-Id': notification.id, 'X-SLO-Name': notification.slo.name },
      });
      if (info.rejected.length > 0) return { ok: false, permanent: true, error: `${where} rejected recipient ${target}` };
      return { ok: true };
    } catch (cause) {
      const error = cause as { code?: string; responseCode?: number; response?: string; message?: string; command?: string };
      const responseCode = error.responseCode;
      const permanent = responseCode !== undefined ? responseCode >= 500 : error.code === 'EENVELOPE' || error.code === 'EMESSAGE';
      const reply = responseCode !== undefined ? `answered ${error.command ? `${error.command} with ` : ''}${error.response ?? responseCode}` : `could not be reached: ${error.message ?? String(cause)}`;
      return { ok: false, permanent, error: `${where} ${reply}${error.code ? ` (${error.code})` : ''} sending to ${target}` };
    }
  }

  /** Tells whether the SMTP server accepts a connection (and the login); for a startup check. */
  async verify(): Promise<void> {
    await this.#transport.verify();
  }

  close(): void {
    this.#transport.close();
  }
}
