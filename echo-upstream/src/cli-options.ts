import { readFileSync } from 'node:fs';
import { DEFAULT_HOST, DEFAULT_MAX_ECHO_BYTES, type EchoUpstreamOptions, HOST_KIND, MAX_ECHO_BYTES_KIND, NAME_KIND, PORT_KIND } from './echo-server.ts';
import { EchoOptionError } from './errors.ts';
import { FAULT_SETTINGS, type FaultSettings } from './fault-settings.ts';
import { describeValue, type ValueKind } from './value-kinds.ts';

/** One CLI flag (`--name`), also accepted as a config file key (`name`). */
interface CliSetting {
  readonly name: string;
  readonly kind: ValueKind<unknown>;
  readonly summary: string;
  assign(options: EchoUpstreamOptions, value: unknown): void;
}

function faultsOf(options: EchoUpstreamOptions): Partial<FaultSettings> {
  options.faults ??= {};
  return options.faults;
}

const CLI_SETTINGS: readonly CliSetting[] = [
  { name: 'port', kind: PORT_KIND, summary: 'port to listen on; 0 = any free port (default 0)', assign: (o, v) => void (o.port = v as number) },
  { name: 'host', kind: HOST_KIND, summary: `address to listen on (default ${DEFAULT_HOST})`, assign: (o, v) => void (o.host = v as string) },
  { name: 'name', kind: NAME_KIND, summary: 'instance name in replies (default echo-<port>)', assign: (o, v) => void (o.name = v as string) },
  {
    name: 'max-echo-bytes',
    kind: MAX_ECHO_BYTES_KIND,
    summary: `larger bodies are echoed as body: null (default ${DEFAULT_MAX_ECHO_BYTES})`,
    assign: (o, v) => void (o.maxEchoBytes = v as number),
  },
  ...FAULT_SETTINGS.map(
    (s): CliSetting => ({
      name: s.name,
      kind: s.kind,
      summary: s.summary,
      assign: (o, v) => void (faultsOf(o)[s.key] = v as never),
    }),
  ),
];

const BY_NAME = new Map(CLI_SETTINGS.map((s) => [s.name, s]));

export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: EchoUpstreamOptions };

export function usage(): string {
  const rows = [
    ['--config FILE', 'JSON file with the keys below (without --); flags win over it'],
    ...CLI_SETTINGS.map((s) => [`--${s.name} VALUE`, `${s.summary}; ${s.kind.expected}`]),
  ];
  const width = Math.max(...rows.map(([flag]) => (flag as string).length));
  return [
    'Usage: node echo-upstream/src/main.ts [flags]',
    '',
    'Echoes each request as JSON; x-echo-<name> request headers override the fault flags per request.',
    '',
    ...rows.map(([flag, text]) => `  ${(flag as string).padEnd(width)}  ${text}`),
    '',
  ].join('\n');
}

function readConfig(path: string, readFile: (path: string) => string): Array<[CliSetting, unknown]> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new EchoOptionError(`--config: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new EchoOptionError(`config file ${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EchoOptionError(`config file ${path}: expected a JSON object of settings, got ${describeValue(data)}`);
  }
  const entries: Array<[CliSetting, unknown]> = [];
  for (const [key, raw] of Object.entries(data)) {
    const setting = BY_NAME.get(key);
    if (setting === undefined) {
      throw new EchoOptionError(`config file ${path}: unknown key "${key}" (expected one of: ${[...BY_NAME.keys()].join(', ')})`);
    }
    const value = setting.kind.fromValue(raw);
    if (value === undefined) {
      throw new EchoOptionError(`config file ${path}: "${key}" expects ${setting.kind.expected}, got ${describeValue(raw)}`);
    }
    entries.push([setting, value]);
  }
  return entries;
}

/**
 * Parses `--flag VALUE` / `--flag=VALUE` arguments and the optional `--config FILE` (JSON, same
 * keys as the flags). Flags win over the file. Throws EchoOptionError naming the culprit.
 */
export function parseCli(argv: readonly string[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): CliCommand {
  const fromFlags: Array<[CliSetting, unknown]> = [];
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) throw new EchoOptionError(`unexpected argument ${describeValue(arg)} (flags look like --port 9001; see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let text: string | undefined;
    if (eq !== -1) text = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) text = argv[++i];
    if (name === 'config') {
      if (text === undefined || text === '') throw new EchoOptionError('--config expects a file path, got nothing');
      configPath = text;
      continue;
    }
    const setting = BY_NAME.get(name);
    if (setting === undefined) throw new EchoOptionError(`unknown flag --${name} (see --help for the list)`);
    const value = text === undefined ? undefined : setting.kind.fromText(text);
    if (value === undefined) throw new EchoOptionError(`--${name} expects ${setting.kind.expected}, got ${describeValue(text)}`);
    fromFlags.push([setting, value]);
  }
  const options: EchoUpstreamOptions = {};
  const fromConfig = configPath === undefined ? [] : readConfig(configPath, readFile);
  for (const [setting, value] of [...fromConfig, ...fromFlags]) setting.assign(options, value);
  return { kind: 'run', options };
}
