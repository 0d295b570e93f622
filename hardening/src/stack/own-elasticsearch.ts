import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/elasticsearch.sh', import.meta.url));

/**
 * An Elasticsearch of the run's own (scripts/elasticsearch.sh on its own port and run
 * directory), which may be killed and restarted without disturbing anyone else's.
 */
export interface OwnElasticsearch {
  readonly url: string;
  readonly port: number;
  readonly runDir: string;
  /** SIGKILL the server (and its launcher): a crash, no shutdown. */
  kill(): Promise<void>;
  /** Starts it again on the same data (what was acknowledged before a kill is still there). */
  restart(): Promise<void>;
  /** Graceful stop; the data directory is wiped at the next fresh start. */
  stop(): Promise<void>;
}

/** Starts a fresh single-node Elasticsearch on `port` (its data directory is wiped first). */
export async function startOwnElasticsearch(port: number): Promise<OwnElasticsearch> {
  const runDir = `/tmp/lookout-hardening-es-${port}`;
  const env = (keepData: boolean): NodeJS.ProcessEnv => ({ ...process.env, ES_PORT: String(port), ES_RUN_DIR: runDir, ES_KEEP_DATA: keepData ? '1' : '0' });
  const script = async (command: 'start' | 'stop', keepData: boolean): Promise<void> => {
    try {
      await run('bash', [SCRIPT, command], { env: env(keepData), timeout: 300_000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`HARDENING_ES_${command.toUpperCase()}_FAILED: scripts/elasticsearch.sh ${command} on port ${port} failed: ${stderr.slice(-1500) || String(error)}`, { cause: error });
    }
  };
  const pids = (): number[] =>
    ['elasticsearch.pid', 'launcher.pid'].flatMap((file) => {
      try {
        const pid = Number(readFileSync(`${runDir}/${file}`, 'utf8').replace(/\D/g, ''));
        return pid > 0 ? [pid] : [];
      } catch {
        return [];
      }
    });
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  await script('start', false);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    runDir,
    async kill() {
      const targets = pids();
      if (targets.length === 0) throw new Error(`HARDENING_ES_NOT_RUNNING: no pid file under ${runDir}`);
      for (const pid of targets) if (alive(pid)) process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while (targets.some(alive)) {
        if (Date.now() > deadline) throw new Error(`HARDENING_ES_KILL_FAILED: pids ${targets.join(', ')} still alive 30 s after SIGKILL`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    restart: () => script('start', true),
    stop: () => script('stop', false),
  };
}
