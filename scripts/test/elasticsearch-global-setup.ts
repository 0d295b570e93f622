import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

/*
 * Starts the test Elasticsearch (scripts/elasticsearch.sh, a real single-node ES 8) once for
 * a test run, on LOOKOUT_TEST_ES_PORT (default 9250, apart from a developer's 9200), unless one
 * already answers there; stops it afterwards only if it started it here. Every project whose
 * tests need it lists this file in `globalSetup`; tests share the instance, so each uses index
 * names of its own.
 *
 * Skipped when the run names only test files whose path mentions neither "telemetry" nor
 * "elasticsearch" (ES takes ~15-25 s to start).
 * When it cannot start: in CI (CI=true) the run fails; elsewhere the tests that need it skip
 * with a message.
 */
const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../elasticsearch.sh', import.meta.url));
const NEEDS_ELASTICSEARCH = /telemetry|elasticsearch/;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the test Elasticsearch, or '' when none could be started. */
    elasticsearchUrl: string;
    /** Why there is none. */
    elasticsearchProblem: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const port = process.env.LOOKOUT_TEST_ES_PORT ?? '9250';
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ES_PORT: port };
  project.provide('elasticsearchUrl', '');
  project.provide('elasticsearchProblem', '');
  const files = process.argv.slice(2).filter((arg) => /\.test\.ts$|\//.test(arg));
  if (files.length > 0 && !files.some((file) => NEEDS_ELASTICSEARCH.test(file))) {
    project.provide('elasticsearchProblem', 'not started: no test that needs it selected');
    return undefined;
  }
  if (await answers(url)) {
    project.provide('elasticsearchUrl', url);
    return undefined;
  }
  try {
    await run('bash', [SCRIPT, 'start'], { env, timeout: 240_000 });
  } catch (error) {
    const problem = `scripts/elasticsearch.sh start failed on port ${port}: ${(error as { stderr?: string }).stderr?.slice(-1500) ?? String(error)}`;
    if (process.env.CI === 'true') throw new Error(problem);
    project.provide('elasticsearchProblem', problem);
    return undefined;
  }
  project.provide('elasticsearchUrl', url);
  return async () => {
    await run('bash', [SCRIPT, 'stop'], { env, timeout: 120_000 }).catch(() => undefined);
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(3_000) });
    return response.ok;
  } catch {
    return false;
  }
}
