import { statSync } from 'node:fs';
import type { Logger } from '../log.ts';
import { ConfigError } from '../config/config-error.ts';
import type { ProxyConfig } from '../config/schema.ts';
import { loadTlsCredentials, type TlsCredentials } from './tls-credentials.ts';

/**
 * Picks up a renewed certificate without a reload: every `listen.tls.watchInterval` it compares
 * the modification time and size of the certificate and key files with what it saw last, and
 * when either changed and the pair loads (see {@link loadTlsCredentials}), hands it to
 * `onChange`. A pair that does not load (a renewal half written, a key of another certificate)
 * is logged once per change with its code and retried at the next tick; the certificate in
 * service stays. Kubernetes Secret volumes and certbot both replace the files in place, so
 * their renewals arrive within one interval.
 */
export class CertificateWatcher {
  readonly #configFile: string;
  readonly #log: Logger;
  readonly #onChange: (tls: TlsCredentials) => void;
  #config: ProxyConfig;
  #seen: string;
  #reported = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(config: ProxyConfig, configFile: string, log: Logger, onChange: (tls: TlsCredentials) => void) {
    this.#config = config;
    this.#configFile = configFile;
    this.#log = log;
    this.#onChange = onChange;
    this.#seen = this.#stamp();
  }

  /** Starts checking (nothing to do for a plain HTTP listener or an interval of 0). */
  start(): void {
    const interval = this.#config.listen.tls?.watchInterval ?? 0;
    if (interval > 0 && this.#timer === undefined) this.#timer = setInterval(() => this.check(), interval).unref();
  }

  /** After a reload: the files named now, as they are now, are the ones in service. */
  reset(config: ProxyConfig): void {
    this.stop();
    this.#config = config;
    this.#seen = this.#stamp();
    this.#reported = '';
    this.start();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One check: loads and hands over the pair when the files changed since the last one. */
  check(): void {
    const stamp = this.#stamp();
    if (stamp === this.#seen) return;
    try {
      const tls = loadTlsCredentials(this.#config, this.#configFile);
      if (tls === undefined) return;
      this.#seen = stamp;
      this.#reported = '';
      this.#onChange(tls);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (this.#reported === stamp) return;
      this.#reported = stamp;
      this.#log.error({ code: error.code, file: error.file, problems: error.problems }, `TLS certificate files changed but do not load, keeping the certificate in service: ${error.message}`);
    }
  }

  /** Modification time and size of both files ('' for a plain HTTP listener). */
  #stamp(): string {
    const tls = this.#config.listen.tls;
    if (tls === undefined) return '';
    return [tls.certFile, tls.keyFile]
      .map((file) => {
        try {
          const stat = statSync(file);
          return `${stat.mtimeMs}:${stat.size}`;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code ?? 'unreadable';
        }
      })
      .join('|');
  }
}
