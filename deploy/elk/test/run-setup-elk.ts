import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** What a `setup-elk` process printed and how it ended. */
export interface SetupRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node deploy/elk/src/main.ts ...args` as the operator would, with only `env` (plus PATH)
 * in its environment, and resolves with its exit code and output (never rejects on a non-zero exit).
 */
export function runSetupElk(args: readonly string[], env: Record<string, string> = {}): Promise<SetupRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
