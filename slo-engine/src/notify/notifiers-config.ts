import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../engine-error.ts';
import { DURATION_PATTERN, parseDuration } from '../spec/duration.ts';
import type { EmailSettings } from './email-notifier.ts';
import type { RecipientDirectory } from './recipients.ts';
import { retryPolicy, type RetryPolicy } from './retry-policy.ts';
import type { WebhookTarget } from './webhook-notifier.ts';

/**
 * The notifier sections of the engine config (`webhooks`, `email`, `delivery`). Secrets are
 * never written in the config: it names an environment variable or a file that holds them,
 * read once at startup by {@link resolveNotifiersConfig}.
 *
 * @example
 * webhooks:
 *   - name: oncall                       # what SLO owners write
 *     url: https://hooks.example.com/slo
 *     secretEnv: ONCALL_WEBHOOK_SECRET   # "whsec_<base64>"; several space-separated during a rotation
 *     format: standard                   # or alertmanager
 *     timeout: 10s
 *     headers: { X-Team: sre }
 * email:
 *   from: "SLO engine <slo@example.com>"
 *   smtp: { host: smtp.example.com, port: 587, secure: false, user: slo, passwordFile: /run/secrets/smtp }
 * delivery: { maxAttempts: 8, initialBackoff: 30s, maxBackoff: 1h }
 */

const duration = z.string().regex(DURATION_PATTERN, { error: 'expected a duration such as "500ms", "30s", "5m" or "1h"' });
const positiveDuration = duration.refine((text) => (parseDuration(text) ?? 1) > 0, 'expected a duration longer than 0');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const filePath = z.string().min(1, 'expected a file path');

/** Request headers the notifier sets itself; a webhook's `headers` cannot override them. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'user-agent', 'transfer-encoding', 'connection', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

/** One webhook of the config. */
export const webhookConfigSchema = z
  .strictObject({
    /** What SLO owners write to reach this webhook; no "@" (owners with "@" are e-mail addresses). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-" (owners containing "@" are e-mail addresses)'),
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    /** Environment variable holding the signing secret(s). */
    secretEnv: envName.optional(),
    /** File holding the signing secret(s). */
    secretFile: filePath.optional(),
    format: z.enum(['standard', 'alertmanager']).default('standard'),
    /** Whole-attempt timeout (the Standard Webhooks spec recommends 15-30 s on the receiving side). */
    timeout: positiveDuration.default('10s'),
    headers: z
      .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name'), z.string())
      .default({})
      .superRefine((headers, ctx) => {
        for (const name of Object.keys(headers)) {
          if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `header "${name}" is set by the notifier and cannot be configured` });
        }
      }),
  })
  .refine((webhook) => webhook.secretEnv === undefined || webhook.secretFile === undefined, { message: 'expected at most one of "secretEnv" or "secretFile"', path: ['secretFile'] });

/** The SMTP relay e-mail goes through. */
export const smtpConfigSchema = z
  .strictObject({
    host: z.string().min(1, 'expected a host name or address'),
    /** Default 465 when `secure`, else 587. */
    port: z.int().min(1).max(65_535).optional(),
    /** Implicit TLS from the first byte (SMTPS). */
    secure: z.boolean().default(false),
    /** When not `secure`: refuse to send unless STARTTLS upgrades the connection (otherwise it is used when offered). */
    requireTls: z.boolean().default(false),
    user: z.string().min(1).optional(),
    passwordEnv: envName.optional(),
    passwordFile: filePath.optional(),
    timeout: positiveDuration.default('30s'),
  })
  .superRefine((smtp, ctx) => {
    if (smtp.passwordEnv !== undefined && smtp.passwordFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'expected at most one of "passwordEnv" or "passwordFile"' });
    }
    if (smtp.user === undefined && (smtp.passwordEnv !== undefined || smtp.passwordFile !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs a "user"' });
    }
  });

export const emailConfigSchema = z.strictObject({
  /** The From header, e.g. `SLO engine <slo@example.com>`. */
  from: z.string().regex(/@/, 'expected an e-mail address, e.g. "SLO engine <slo@example.com>"'),
  smtp: smtpConfigSchema,
});

export const deliveryConfigSchema = z
  .strictObject({
    /** Attempts per delivery, the first included, before it is dead-lettered. */
    maxAttempts: z.int().min(1).max(100).default(8),
    initialBackoff: duration.default('30s'),
    maxBackoff: positiveDuration.default('1h'),
    backoffFactor: z.number().min(1).max(10).default(2),
    /** The longest Retry-After a receiver can impose. */
    maxRetryAfter: duration.default('1h'),
    /** Deliveries in flight at once, all targets together. */
    concurrency: z.int().min(1).max(256).default(8),
    /** Deliveries in flight at once to one target, so a slow receiver cannot take every slot. */
    perTargetConcurrency: z.int().min(1).max(256).default(2),
  })
  .refine((d) => (parseDuration(d.maxBackoff) ?? 0) >= (parseDuration(d.initialBackoff) ?? 0), { message: 'expected maxBackoff >= initialBackoff', path: ['maxBackoff'] })
  .default({ maxAttempts: 8, initialBackoff: '30s', maxBackoff: '1h', backoffFactor: 2, maxRetryAfter: '1h', concurrency: 8, perTargetConcurrency: 2 });

/** `webhooks`, `email` and `delivery`, to be merged into the engine config schema (`...notifiersConfigShape`). */
export const notifiersConfigShape = {
  webhooks: z
    .array(webhookConfigSchema)
    .default([])
    .superRefine((webhooks, ctx) => {
      const seen = new Set<string>();
      webhooks.forEach((webhook, index) => {
        if (seen.has(webhook.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate webhook name "${webhook.name}"` });
        seen.add(webhook.name);
      });
    }),
  email: emailConfigSchema.optional(),
  delivery: deliveryConfigSchema,
};

/** The notifier sections alone, as an object schema. */
export const notifiersConfigSchema = z.strictObject(notifiersConfigShape);

/** Validated notifier sections, durations still as strings, secrets not yet read. */
export type NotifiersConfig = z.output<typeof notifiersConfigSchema>;

/** The notifier sections with secrets read and durations in ms: what the notifiers and dispatcher take. */
export interface ResolvedNotifiersConfig {
  readonly webhooks: readonly WebhookTarget[];
  readonly email: EmailSettings | undefined;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  readonly perTargetConcurrency: number;
}

export interface ResolveNotifiersOptions {
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative secret files are read from here; default the working directory. */
  readonly baseDir?: string;
  /** The config file, named in errors. */
  readonly file?: string;
}

/**
 * Reads the secrets the config names and converts durations. Throws
 * `EngineError('SLO_ENGINE_CONFIG_INVALID')` listing every missing variable or unreadable file
 * with its path in the config (never a secret's value).
 */
export function resolveNotifiersConfig(config: NotifiersConfig, options: ResolveNotifiersOptions = {}): ResolvedNotifiersConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const readSecret = (path: string, source: { env?: string | undefined; file?: string | undefined }): string | undefined => {
    if (source.env !== undefined) {
      const value = env[source.env];
      if (value === undefined || value.trim() === '') problems.push(`${path}Env: environment variable ${source.env} is not set or empty`);
      return value;
    }
    if (source.file !== undefined) {
      const file = resolvePath(options.baseDir ?? '.', source.file);
      try {
        const value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        if (value.trim() === '') problems.push(`${path}File: file ${file} is empty`);
        return value;
      } catch (error) {
        problems.push(`${path}File: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    return undefined;
  };

  const webhooks = config.webhooks.map((webhook, index): WebhookTarget => {
    const secretText = readSecret(`webhooks[${index}].secret`, { env: webhook.secretEnv, file: webhook.secretFile });
    const secrets = secretText === undefined ? [] : secretText.split(/\s+/).filter(Boolean);
    return { name: webhook.name, url: webhook.url, secrets, format: webhook.format, timeoutMs: ms(webhook.timeout), headers: { ...webhook.headers } };
  });

  let email: EmailSettings | undefined;
  if (config.email !== undefined) {
    const smtp = config.email.smtp;
    const password = readSecret('email.smtp.password', { env: smtp.passwordEnv, file: smtp.passwordFile });
    email = {
      from: config.email.from,
      smtp: {
        host: smtp.host,
        port: smtp.port ?? (smtp.secure ? 465 : 587),
        secure: smtp.secure,
        requireTls: smtp.requireTls,
        timeoutMs: ms(smtp.timeout),
        ...(smtp.user !== undefined && { user: smtp.user }),
        ...(password !== undefined && { password }),
      },
    };
  }

  if (problems.length > 0) {
    const where = options.file === undefined ? 'the engine config' : options.file;
    throw new EngineError('SLO_ENGINE_CONFIG_INVALID', `${where}: secrets cannot be read:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      file: options.file,
      problems,
    });
  }

  const delivery = config.delivery;
  return {
    webhooks,
    email,
    retry: retryPolicy({
      maxAttempts: delivery.maxAttempts,
      initialBackoffMs: ms(delivery.initialBackoff),
      maxBackoffMs: ms(delivery.maxBackoff),
      factor: delivery.backoffFactor,
      maxRetryAfterMs: ms(delivery.maxRetryAfter),
    }),
    concurrency: delivery.concurrency,
    perTargetConcurrency: delivery.perTargetConcurrency,
  };
}

/** Who owners can name, from a resolved config (for `checkOwners` and `createDeliveries`). */
export function recipientDirectory(config: Pick<ResolvedNotifiersConfig, 'webhooks' | 'email'>): RecipientDirectory {
  return { webhookNames: new Set(config.webhooks.map((webhook) => webhook.name)), emailConfigured: config.email !== undefined };
}

function ms(text: string): number {
  const value = parseDuration(text);
  if (value === undefined) throw new TypeError(`not a duration: ${text}`);
  return value;
}
