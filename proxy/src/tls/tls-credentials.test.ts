import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.ts';
import { parseConfigText } from '../config/load-config.ts';
import { loadTlsCredentials } from './tls-credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'lookout-tls-unit-'));

function certificate(name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', `/CN=${name}/O=lookout`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

function configWith(tls: object | undefined) {
  return parseConfigText(JSON.stringify({ listen: { port: 0, ...(tls && { tls }) } }), 'proxy.yaml');
}

function problemOf(run: () => unknown): { code: string; path: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problem = (error as ConfigError).problems[0]!;
    return { code: (error as ConfigError).code, path: problem.path, message: problem.message };
  }
  throw new Error('expected a ConfigError');
}

describe('loadTlsCredentials', () => {
  it('is undefined for a plain HTTP listener', () => {
    expect(loadTlsCredentials(configWith(undefined), 'proxy.yaml')).toBeUndefined();
  });

  it('reads a matching certificate and key, with the facts logs show', () => {
    const files = certificate('good');
    const tls = loadTlsCredentials(configWith(files), 'proxy.yaml')!;
    expect(tls.subject).toBe('CN=good, O=lookout');
    expect(tls.minVersion).toBe('TLSv1.2');
    expect(tls.notAfter.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('names the certificate file when it holds no PEM certificate', () => {
    const files = certificate('garbled');
    writeFileSync(files.certFile, 'not a certificate');
    const problem = problemOf(() => loadTlsCredentials(configWith(files), 'proxy.yaml'));
    expect(problem).toMatchObject({ code: 'CONFIG_TLS_INVALID', path: 'listen.tls.certFile' });
    expect(problem.message).toContain(files.certFile);
  });

  it('names the key file when the key belongs to another certificate, without showing the key', () => {
    const one = certificate('one');
    const other = certificate('other');
    const problem = problemOf(() => loadTlsCredentials(configWith({ certFile: one.certFile, keyFile: other.keyFile }), 'proxy.yaml'));
    expect(problem).toMatchObject({ code: 'CONFIG_TLS_INVALID', path: 'listen.tls.keyFile' });
    expect(problem.message).toContain(other.keyFile);
    expect(problem.message).not.toContain('PRIVATE KEY');
  });

  it('rejects an unknown minimum version in the config itself', () => {
    expect(() => configWith({ certFile: 'a', keyFile: 'b', minVersion: 'TLSv1.1' })).toThrow(/listen\.tls\.minVersion/);
  });
});
