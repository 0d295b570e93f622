import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseYamlWithSchema } from '@lookout/config-file';
import { z } from 'zod';
import type { Slo } from '../model/slo.ts';
import { notifiersConfigShape } from '../notify/notifiers-config.ts';
import { parseSloSpecText } from '../spec/load-slo-spec.ts';
import { SloSpecError } from '../spec/slo-spec-error.ts';
import { EngineConfigError } from './engine-config-error.ts';
import { engineCoreConfigSchema } from './engine-config-schema.ts';

/** The whole engine config file: core sections plus `webhooks`, `email` and `delivery`. */
export const engineConfigSchema = engineCoreConfigSchema.safeExtend(notifiersConfigShape);

/** A validated engine config, durations as strings, secrets not yet read. */
export type EngineConfig = z.output<typeof engineConfigSchema>;

/** A config file with its SLO spec loaded. */
export interface LoadedEngineConfig {
  readonly file: string;
  readonly config: EngineConfig;
  /** The SLO spec file, resolved against the config file's folder. */
  readonly specFile: string;
  readonly slos: Slo[];
}

/**
 * Reads and validates the engine config and the SLO spec it names. Throws
 * {@link EngineConfigError} or {@link SloSpecError}, each naming the file, line, path and
 * expectation. Relative `slos` is resolved against the config file's folder; store paths, like
 * the proxy's, against the working directory.
 */
export async function loadEngineConfig(file: string): Promise<LoadedEngineConfig> {
  const config = parseEngineConfigText(await readConfigText(file), file);
  const specFile = resolve(dirname(file), config.slos);
  return { file, config, specFile, slos: await loadSloSpecFile(specFile) };
}

/** Parses and validates engine config text (YAML or JSON); `file` names the source in errors. */
export function parseEngineConfigText(text: string, file: string): EngineConfig {
  const result = parseYamlWithSchema(text, engineConfigSchema);
  if (!result.ok) throw new EngineConfigError(result.stage === 'yaml' ? 'SLO_ENGINE_CONFIG_INVALID_YAML' : 'SLO_ENGINE_CONFIG_INVALID', file, result.problems);
  return result.value;
}

/** Reads, validates and resolves an SLO spec file. Throws {@link SloSpecError}. */
export async function loadSloSpecFile(file: string): Promise<Slo[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SloSpecError('SLO_SPEC_UNREADABLE', file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseSloSpecText(text, file);
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new EngineConfigError('SLO_ENGINE_CONFIG_UNREADABLE', file, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
}
