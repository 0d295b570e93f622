import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated-files.ts';

/*
 * Writes the Kibana saved objects, Grafana dashboards and provisioning examples under
 * dashboards/generated/. Run from anywhere: `node dashboards/src/build.ts`.
 */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, content] of generatedFiles()) {
  const target = join(packageRoot, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote dashboards/${path}`);
}
