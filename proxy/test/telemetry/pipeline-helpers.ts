import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelemetryPipeline } from '../../src/telemetry/create-telemetry-pipeline.ts';
import { telemetryConfigSchema, type TelemetryConfig } from '../../src/telemetry/telemetry-config.ts';
import type { TelemetryPipeline } from '../../src/telemetry/telemetry-pipeline.ts';
import { CapturingLogger } from './capturing-logger.ts';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'lookout-telemetry-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** An Elasticsearch pipeline with test-sized settings (input as in a config file). */
export function esPipeline(
  node: string,
  index: string,
  overrides: { elasticsearch?: Record<string, unknown>; spool?: Record<string, unknown>; queue?: Record<string, unknown>; closeTimeout?: unknown } = {},
): { pipeline: TelemetryPipeline; log: CapturingLogger; config: TelemetryConfig; spoolDir: string } {
  const spoolDir = (overrides.spool?.directory as string | undefined) ?? tempDir('lookout-spool-');
  const config = telemetryConfigSchema.parse({
    sink: 'elasticsearch',
    elasticsearch: { node, index, batchSize: 200, flushInterval: '100ms', backoff: { min: '100ms', max: '1s' }, requestTimeout: '10s', connectTimeout: '2s', ...overrides.elasticsearch },
    spool: { fsyncInterval: '100ms', ...overrides.spool, directory: spoolDir },
    ...(overrides.queue ? { queue: overrides.queue } : {}),
    ...(overrides.closeTimeout !== undefined ? { closeTimeout: overrides.closeTimeout } : {}),
  });
  const log = new CapturingLogger();
  return { pipeline: createTelemetryPipeline(config, log, {}), log, config, spoolDir };
}

/** Segment files left in a spool directory (all slots). */
export function segmentFiles(spoolDir: string): string[] {
  const files: string[] = [];
  for (const slot of readdirSync(spoolDir)) {
    for (const name of readdirSync(join(spoolDir, slot))) if (name.startsWith('segment-')) files.push(join(slot, name));
  }
  return files;
}

/** Polls `check` every 50 ms until it holds or `timeoutMs` passed; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
