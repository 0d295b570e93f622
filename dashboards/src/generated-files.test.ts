import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILD_COMMAND, generatedFiles } from './generated-files.ts';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated files', () => {
  it('are the same on two builds', () => {
    expect([...generatedFiles()]).toEqual([...generatedFiles()]);
  });

  it('match what is committed under dashboards/generated', () => {
    const stale: string[] = [];
    for (const [path, content] of generatedFiles()) {
      let committed: string | undefined;
      try {
        committed = readFileSync(join(packageRoot, path), 'utf8');
      } catch {
        committed = undefined;
      }
      if (committed !== content) stale.push(`dashboards/${path}${committed === undefined ? ' (missing)' : ''}`);
    }
    expect(stale, `generated files differ from the code; run \`${BUILD_COMMAND}\` and commit: ${stale.join(', ')}`).toEqual([]);
  });
});
