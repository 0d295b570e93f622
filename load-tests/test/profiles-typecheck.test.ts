import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const PROJECT = fileURLToPath(new URL('../tsconfig.k6.json', import.meta.url));

describe('k6 profiles', () => {
  it('type-check against @types/k6 (their globals clash with Node, so they have their own tsconfig)', async () => {
    const result = await run(process.execPath, [TSC, '-p', PROJECT], { timeout: 120_000 }).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(result).toBe('');
  }, 150_000);
});
