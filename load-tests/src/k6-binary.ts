import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The k6 binary the tests run: `LOOKOUT_K6`, else where scripts/install-k6.sh caches it.
 * Undefined when neither exists; with CI=true that is a failure, not a skip.
 */
export function k6Binary(): string | undefined {
  const candidates = [process.env.LOOKOUT_K6, join(process.env.LOOKOUT_CACHE ?? join(homedir(), '.cache', 'lookout'), 'bin', 'k6')];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

/** Whether a missing component must fail the test (CI) rather than skip it. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
