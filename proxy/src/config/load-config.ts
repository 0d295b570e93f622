import { readFile } from 'node:fs/promises';
import { parseYamlWithSchema } from '@lookout/config-file';
import { ConfigError } from './config-error.ts';
import { proxyConfigSchema, type ProxyConfig } from './schema.ts';

export { ConfigError } from './config-error.ts';
export type { ConfigErrorCode, ConfigProblem } from './config-error.ts';

/** Reads, parses and validates a proxy config file. Throws ConfigError. */
export async function loadConfigFile(file: string): Promise<ProxyConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_UNREADABLE', file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseConfigText(text, file);
}

/** Parses and validates config text (YAML or JSON). `file` names the source in errors. */
export function parseConfigText(text: string, file: string): ProxyConfig {
  const result = parseYamlWithSchema(text, proxyConfigSchema);
  if (!result.ok) throw new ConfigError(result.stage === 'yaml' ? 'CONFIG_INVALID_YAML' : 'CONFIG_INVALID', file, result.problems);
  return result.value;
}
