import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Credentials } from './credentials.ts';
import { INDEX_PREFIX_PATTERN } from './index-names.ts';
import type { RestEndpoint } from './rest-request.ts';
import { SetupError } from './setup-error.ts';
import type { VariantChoice } from './template-variant.ts';

/** What a run does (the first positional argument; default `all`). */
export const SETUP_COMMANDS = ['all', 'indices', 'kibana', 'kibana-system-password'] as const;
export type SetupCommand = (typeof SETUP_COMMANDS)[number];

/** Everything a run needs, resolved from flags and environment. */
export interface SetupOptions {
  readonly command: SetupCommand;
  readonly elasticsearch: RestEndpoint;
  /** Undefined: no Kibana step in `all`. */
  readonly kibana?: RestEndpoint;
  readonly kibanaSpace?: string;
  readonly savedObjectsPath: string;
  readonly prefix: string;
  readonly variant: VariantChoice;
  /** Undefined: one replica when the cluster has two data nodes or more, else none. */
  readonly replicas?: number;
  /** How long to wait for Elasticsearch (and Kibana) to come up. */
  readonly waitMs: number;
  readonly kibanaSystemPassword?: string;
}

/** The repository root, for the default saved-objects path. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The saved objects the dashboards package generates. */
export const DEFAULT_SAVED_OBJECTS = 'dashboards/generated/kibana.ndjson';

/** Usage text printed by `--help` and after a usage error. */
export const USAGE = `usage: setup-elk [all|indices|kibana|kibana-system-password] [options]

Installs the lookout index templates, lifecycle policies and write targets in Elasticsearch
and imports the Kibana saved objects. Idempotent: a second run changes nothing.

  all                     indices, then the Kibana import when a Kibana URL is given (default)
  indices                 templates, ILM policies, data stream or write aliases, SLO indices
  kibana                  only the saved-objects import
  kibana-system-password  set the kibana_system user's password (before Kibana starts)

options (environment variable in brackets):
  --es-url URL            Elasticsearch [ELASTICSEARCH_URL] (default http://127.0.0.1:9200)
  --es-username NAME      basic auth user [ELASTICSEARCH_USERNAME]; password only from
                          [ELASTICSEARCH_PASSWORD]; or an API key from [ELASTICSEARCH_API_KEY]
  --kibana-url URL        Kibana [KIBANA_URL]; credentials [KIBANA_USERNAME], [KIBANA_PASSWORD],
                          [KIBANA_API_KEY], else the Elasticsearch ones
  --kibana-space ID       Kibana space [KIBANA_SPACE] (default: the default space)
  --saved-objects FILE    NDJSON to import [LOOKOUT_SAVED_OBJECTS] (default ${DEFAULT_SAVED_OBJECTS})
  --prefix NAME           index name prefix [LOOKOUT_INDEX_PREFIX] (default lookout)
  --variant V             auto|production|portable [LOOKOUT_TEMPLATE_VARIANT] (default auto:
                          production when the cluster has data streams, ILM and the mapper modules)
  --replicas N            replicas of new indices [LOOKOUT_INDEX_REPLICAS] (default 1 with two or
                          more data nodes, else 0)
  --wait SECONDS          wait this long for Elasticsearch and Kibana [LOOKOUT_SETUP_WAIT] (default 60)
  --timeout SECONDS       per request [LOOKOUT_SETUP_TIMEOUT] (default 30)
  kibana-system-password reads the new password from [KIBANA_SYSTEM_PASSWORD].

Exit status: 0 done, 1 setup failed (the last line names the error code), 2 bad usage.`;

/**
 * Resolves the options of one run from `argv` (without node and script) and `env`. Passwords
 * and API keys come only from the environment, never from flags (which `ps` shows).
 * Throws `LOOKOUT_SETUP_BAD_OPTION` naming the flag or variable at fault.
 */
export function parseSetupOptions(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string = process.cwd()): SetupOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'es-url': { type: 'string' },
        'es-username': { type: 'string' },
        'kibana-url': { type: 'string' },
        'kibana-space': { type: 'string' },
        'saved-objects': { type: 'string' },
        prefix: { type: 'string' },
        variant: { type: 'string' },
        replicas: { type: 'string' },
        wait: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `expected at most one command, got ${positionals.join(' ')}`);
  const command = (positionals[0] ?? 'all') as SetupCommand;
  if (!SETUP_COMMANDS.includes(command)) {
    throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `unknown command "${command}"; expected one of ${SETUP_COMMANDS.join(', ')}`);
  }
  const timeoutMs = seconds(values.timeout ?? env.LOOKOUT_SETUP_TIMEOUT ?? '30', '--timeout / LOOKOUT_SETUP_TIMEOUT', 1) * 1000;
  const esCredentials = credentials(values['es-username'] ?? env.ELASTICSEARCH_USERNAME, env.ELASTICSEARCH_PASSWORD, env.ELASTICSEARCH_API_KEY, 'ELASTICSEARCH');
  const elasticsearch = { url: httpUrl(values['es-url'] ?? env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200', '--es-url / ELASTICSEARCH_URL'), credentials: esCredentials, timeoutMs };
  const kibanaUrl = values['kibana-url'] ?? env.KIBANA_URL;
  const kibanaOwn = credentials(env.KIBANA_USERNAME, env.KIBANA_PASSWORD, env.KIBANA_API_KEY, 'KIBANA');
  const kibana = kibanaUrl
    ? { url: httpUrl(kibanaUrl, '--kibana-url / KIBANA_URL'), credentials: kibanaOwn.kind === 'none' ? esCredentials : kibanaOwn, timeoutMs }
    : undefined;
  if (command === 'kibana' && kibana === undefined) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', 'the kibana command needs --kibana-url or KIBANA_URL');
  const savedObjects = values['saved-objects'] ?? env.LOOKOUT_SAVED_OBJECTS;
  const prefix = values.prefix ?? env.LOOKOUT_INDEX_PREFIX ?? 'lookout';
  if (!INDEX_PREFIX_PATTERN.test(prefix)) {
    throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `--prefix / LOOKOUT_INDEX_PREFIX "${prefix}": expected lower-case letters, digits, ".", "_" or "-", not starting with a symbol`);
  }
  const variant = values.variant ?? env.LOOKOUT_TEMPLATE_VARIANT ?? 'auto';
  if (variant !== 'auto' && variant !== 'production' && variant !== 'portable') {
    throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `--variant / LOOKOUT_TEMPLATE_VARIANT "${variant}": expected auto, production or portable`);
  }
  const replicasText = values.replicas ?? env.LOOKOUT_INDEX_REPLICAS;
  const kibanaSystemPassword = env.KIBANA_SYSTEM_PASSWORD;
  if (command === 'kibana-system-password') {
    if (!kibanaSystemPassword || kibanaSystemPassword.length < 6) {
      throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', 'kibana-system-password needs KIBANA_SYSTEM_PASSWORD (6 characters or more)');
    }
    if (esCredentials.kind !== 'basic') {
      throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', 'kibana-system-password needs the elastic superuser: ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD');
    }
  }
  return {
    command,
    elasticsearch,
    ...(kibana === undefined ? {} : { kibana }),
    ...((values['kibana-space'] ?? env.KIBANA_SPACE) ? { kibanaSpace: values['kibana-space'] ?? env.KIBANA_SPACE } : {}),
    savedObjectsPath: savedObjects === undefined ? resolve(REPOSITORY_ROOT, DEFAULT_SAVED_OBJECTS) : isAbsolute(savedObjects) ? savedObjects : resolve(cwd, savedObjects),
    prefix,
    variant,
    ...(replicasText === undefined ? {} : { replicas: seconds(replicasText, '--replicas / LOOKOUT_INDEX_REPLICAS', 0) }),
    waitMs: seconds(values.wait ?? env.LOOKOUT_SETUP_WAIT ?? '60', '--wait / LOOKOUT_SETUP_WAIT', 0) * 1000,
    ...(kibanaSystemPassword ? { kibanaSystemPassword } : {}),
  };
}

/** A whole number >= `min` (seconds or a count). */
function seconds(text: string, where: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `${where} "${text}": expected a whole number >= ${min}`);
  return value;
}

function httpUrl(text: string, where: string): string {
  if (!URL.canParse(text)) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `${where} "${text}": expected a URL such as http://127.0.0.1:9200`);
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `${where} "${text}": expected http or https`);
  if (url.username || url.password) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `${where}: put credentials in the environment variables, not in the URL`);
  return url.href;
}

function credentials(username: string | undefined, password: string | undefined, apiKey: string | undefined, prefix: string): Credentials {
  if (apiKey && username) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `give either ${prefix}_API_KEY or ${prefix}_USERNAME/${prefix}_PASSWORD, not both`);
  if (apiKey) return { kind: 'api-key', apiKey };
  if (username) {
    if (password === undefined) throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `${prefix}_USERNAME is set but ${prefix}_PASSWORD is missing`);
    return { kind: 'basic', username, password };
  }
  if (password !== undefined && password !== '') throw new SetupError('LOOKOUT_SETUP_BAD_OPTION', `${prefix}_PASSWORD is set but ${prefix}_USERNAME (or --es-username) is missing`);
  return { kind: 'none' };
}
