import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { spawnJsonLoggingProcess, type JsonLoggingProcess } from '../../scripts/test/json-logging-process.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** An slo-engine running as a real child process. */
export interface SpawnedSloEngine extends JsonLoggingProcess {
  readonly url: string;
  readonly configFile: string;
  readonly specFile: string;
}

/**
 * Writes the engine config and the SLO spec into `dir` (a new temp folder by default) and starts
 * `slo-engine/src/main.ts --config FILE` on an ephemeral port; resolves once it listens.
 */
export async function spawnSloEngine(config: Record<string, unknown>, spec: object, options: { dir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SpawnedSloEngine> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lookout-slo-engine-'));
  const configFile = join(dir, 'slo-engine.yaml');
  const specFile = join(dir, 'slos.yaml');
  writeFileSync(specFile, stringify(spec));
  writeFileSync(configFile, stringify({ listen: { host: '127.0.0.1', port: 0 }, slos: 'slos.yaml', ...config }));
  const service = spawnJsonLoggingProcess('slo-engine', [MAIN, '--config', configFile], options.env);
  const listening = await Promise.race([
    service.waitForLog((line) => typeof line.address === 'string', 20_000),
    service.exited.then((code) => {
      throw new Error(`slo-engine exited with ${code} before listening: ${service.stderr().slice(-2000)} ${JSON.stringify(service.logs.slice(-5))}`);
    }),
  ]);
  return { ...service, url: listening.address as string, configFile, specFile };
}
