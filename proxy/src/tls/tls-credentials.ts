import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../config/config-error.ts';
import type { ProxyConfig } from '../config/schema.ts';

/** What the HTTPS listener serves: certificate chain and key (PEM), and facts for logs and metrics. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** The server certificate (first of the chain): subject, issuer and end of validity. */
  readonly subject: string;
  readonly issuer: string;
  readonly notAfter: Date;
}

/**
 * Reads `listen.tls` of `config` (undefined when the listener is plain HTTP) and checks that the
 * files hold a PEM certificate chain and the key that matches it. Problems are `ConfigError`s
 * naming the config file, the setting and the file: `CONFIG_TLS_UNREADABLE` (missing,
 * unreadable) or `CONFIG_TLS_INVALID` (not PEM, key of another certificate). The key is never
 * part of a message.
 */
export function loadTlsCredentials(config: ProxyConfig, configFile: string): TlsCredentials | undefined {
  const tls = config.listen.tls;
  if (tls === undefined) return undefined;
  const cert = readPem(configFile, 'certFile', tls.certFile);
  const key = readPem(configFile, 'keyFile', tls.keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw invalid(configFile, 'certFile', `${tls.certFile} holds no PEM certificate (${(error as Error).message})`);
  }
  try {
    createSecureContext({ cert, key, minVersion: tls.minVersion });
  } catch (error) {
    throw invalid(configFile, 'keyFile', `${tls.keyFile} is not the private key of the certificate in ${tls.certFile}, or not a PEM key (${(error as Error).message})`);
  }
  return { cert, key, minVersion: tls.minVersion, subject: oneLine(certificate.subject), issuer: oneLine(certificate.issuer), notAfter: new Date(certificate.validTo) };
}

/** What a log line says of the certificate (never the key). */
export function tlsFacts(tls: TlsCredentials): Record<string, unknown> {
  return { subject: tls.subject, issuer: tls.issuer, minVersion: tls.minVersion, notAfter: tls.notAfter.toISOString(), daysLeft: Math.floor((tls.notAfter.getTime() - Date.now()) / 86_400_000) };
}

function readPem(configFile: string, setting: 'certFile' | 'keyFile', path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError('CONFIG_TLS_UNREADABLE', configFile, [{ path: `listen.tls.${setting}`, message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
}

function invalid(configFile: string, setting: 'certFile' | 'keyFile', message: string): ConfigError {
  return new ConfigError('CONFIG_TLS_INVALID', configFile, [{ path: `listen.tls.${setting}`, message }]);
}

/** `CN=a\nO=b` (Node's multi-line distinguished name) as `CN=a, O=b`. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
