import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEchoHandler } from './echo-handler.ts';
import { EchoOptionError } from './errors.ts';
import { type FaultSettings, resolveFaultPlan } from './fault-settings.ts';
import { describeValue, integerKind, textKind, type ValueKind } from './value-kinds.ts';

export interface EchoUpstreamOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Instance name in replies and the `x-echo-instance` header; default `echo-<port>`. */
  name?: string;
  /** Bodies larger than this many bytes are echoed as `body: null`; default 1 MiB. */
  maxEchoBytes?: number;
  /** Faults applied to every request unless its `x-echo-*` headers say otherwise. */
  faults?: Partial<FaultSettings>;
  /** How long `close()` lets in-flight requests finish before cutting them; default 5000. */
  closeGraceMs?: number;
}

export interface EchoUpstream {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to `closeGraceMs`), closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_ECHO_BYTES = 1024 * 1024;
const DEFAULT_CLOSE_GRACE_MS = 5000;
/** How often `close()` closes connections that went idle after their in-flight request. */
const IDLE_SWEEP_MS = 25;

export const PORT_KIND = integerKind(0, 65535);
export const HOST_KIND = textKind(/^[^\s/]{1,255}$/, 'a host name or IP address');
/** Printable ASCII without spaces: the name goes into a response header as is. */
export const NAME_KIND = textKind(/^[\x21-\x7e]{1,128}$/, '1 to 128 printable ASCII characters without spaces');
export const MAX_ECHO_BYTES_KIND = integerKind(0, 2 ** 30, 'an integer from 0 to 1073741824 (bytes)');
const GRACE_KIND = integerKind(0, 3_600_000);

function option<T>(options: EchoUpstreamOptions, key: keyof EchoUpstreamOptions, kind: ValueKind<T>, fallback: T): T {
  const raw = options[key];
  if (raw === undefined) return fallback;
  const value = kind.fromValue(raw);
  if (value === undefined) throw new EchoOptionError(`${key} expects ${kind.expected}, got ${describeValue(raw)}`);
  return value;
}

/**
 * Starts an echo upstream in this process.
 *
 * @example
 * const upstream = await startEchoUpstream({ name: 'blue', faults: { delayMs: 50 } });
 * await fetch(`${upstream.url}/x`, { headers: { 'x-echo-status': '503' } });
 * await upstream.close();
 */
export async function startEchoUpstream(options: EchoUpstreamOptions = {}): Promise<EchoUpstream> {
  const requestedPort = option(options, 'port', PORT_KIND, 0);
  const host = option(options, 'host', HOST_KIND, DEFAULT_HOST);
  const requestedName = option<string | undefined>(options, 'name', NAME_KIND, undefined);
  const maxEchoBytes = option(options, 'maxEchoBytes', MAX_ECHO_BYTES_KIND, DEFAULT_MAX_ECHO_BYTES);
  const closeGraceMs = option(options, 'closeGraceMs', GRACE_KIND, DEFAULT_CLOSE_GRACE_MS);
  const defaults = resolveFaultPlan(options.faults);

  let closing = false;
  // The handler needs the name, which may depend on the port the OS picks: the server is
  // created first and the handler installed once listening.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const name = requestedName ?? `echo-${port}`;
  server.on('request', createEchoHandler({ name, maxEchoBytes, defaults, isClosing: () => closing }));

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const force = setTimeout(() => server.closeAllConnections(), closeGraceMs);
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };

  return { name, host, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close };
}
