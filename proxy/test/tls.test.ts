import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { spawnEchoUpstream, type EchoReply, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

/** A self-signed certificate for app.test and 127.0.0.1, made by openssl for this run. */
interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly pem: string;
  readonly fingerprint: string;
}

const dir = mkdtempSync(join(tmpdir(), 'lookout-tls-'));

function makeCertificate(name: string): TestCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:app.test,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  const pem = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, pem, fingerprint: new X509Certificate(pem).fingerprint256 };
}

/** The files the proxy config names; tests copy a certificate over them to "renew" it. */
const served = { certFile: join(dir, 'served.crt'), keyFile: join(dir, 'served.key') };
function install(certificate: TestCertificate, parts: { cert?: boolean; key?: boolean } = { cert: true, key: true }): void {
  if (parts.cert) copyFileSync(certificate.certFile, served.certFile);
  if (parts.key) copyFileSync(certificate.keyFile, served.keyFile);
}

let first: TestCertificate;
let renewed: TestCertificate;
let echo: SpawnedEchoUpstream;
let proxy: SpawnedProxy;
let config: Record<string, unknown>;

beforeAll(async () => {
  first = makeCertificate('first');
  renewed = makeCertificate('renewed');
  install(first);
  echo = await spawnEchoUpstream({ name: 'tls-app' });
  // Files are read again only at a reload here; the last test turns the watch on.
  config = {
    listen: { port: 0, tls: { ...served, watchInterval: 0 } },
    services: [{ name: 'app', hosts: ['app.test'], upstreams: [{ url: echo.url }] }],
  };
  proxy = await spawnProxy(config);
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await echo?.stop();
});

/** The certificate the proxy presents to a new TLS connection (its SHA-256 fingerprint). */
async function presentedFingerprint(options: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: proxy.port, rejectUnauthorized: false, ...options }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}

async function httpsGet(ca: string, path = '/') {
  const dispatcher = new Agent({ connect: { ca } });
  try {
    const response = await request(`https://127.0.0.1:${proxy.port}${path}`, { headers: { host: 'app.test' }, dispatcher });
    return { status: response.statusCode, reply: (await response.body.json()) as EchoReply };
  } finally {
    await dispatcher.close();
  }
}

/** Waits for a log line written after the first `mark` lines that matches `predicate`. */
async function logAfter(mark: number, predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await vi.waitFor(
    () => {
      found = proxy.logs.slice(mark).find(predicate);
      expect(found).toBeDefined();
    },
    { timeout: 5_000, interval: 20 },
  );
  return found!;
}

describe('TLS termination', () => {
  it('answers HTTPS with the configured certificate, forwards over HTTP and tells the upstream and the event it was https', async () => {
    const { status, reply } = await httpsGet(first.pem, '/over-tls');
    expect(status).toBe(200);
    expect(reply.instance).toBe('tls-app');
    expect(reply.headers['x-forwarded-proto']).toBe('https');
    expect(reply.headers['forwarded']).toMatch(/proto=https$/);
    expect(await presentedFingerprint()).toBe(first.fingerprint);
    const event = await proxy.storedEventFor('/over-tls');
    expect(event.url.scheme).toBe('https');
    expect(event.http.response.status_code).toBe(200);
  });

  it('keeps serving after a client speaks plain HTTP to the TLS port', async () => {
    const refused = await request(`http://127.0.0.1:${proxy.port}/`, { headers: { host: 'app.test' } }).then(
      (response) => `HTTP ${response.statusCode}`,
      (error: Error) => error.message,
    );
    expect(refused).not.toBe('HTTP 200');
    expect((await httpsGet(first.pem)).status).toBe(200);
  });

  it('applies listen.tls.minVersion: TLSv1.3 refuses the TLSv1.2 client that the default accepts', async () => {
    const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    expect(await presentedFingerprint(tls12)).toBe(first.fingerprint);
    let mark = proxy.logs.length;
    proxy.reload({ ...config, listen: { port: 0, tls: { ...served, watchInterval: 0, minVersion: 'TLSv1.3' } } });
    await logAfter(mark, (line) => line.msg === 'TLS certificate loaded' && line.minVersion === 'TLSv1.3');
    await expect(presentedFingerprint(tls12)).rejects.toThrow(/version/i);
    expect(await presentedFingerprint()).toBe(first.fingerprint);
    mark = proxy.logs.length;
    proxy.reload(config);
    await logAfter(mark, (line) => line.msg === 'TLS certificate loaded' && line.minVersion === 'TLSv1.2');
    expect(await presentedFingerprint(tls12)).toBe(first.fingerprint);
  });

  it('serves a renewed certificate to new connections after a reload, without a restart', async () => {
    const pid = proxy.process.pid;
    const mark = proxy.logs.length;
    install(renewed);
    proxy.reload(config);
    await logAfter(mark, (line) => line.msg === 'TLS certificate loaded' && String(line.subject).includes('CN=renewed'));
    expect(await presentedFingerprint()).toBe(renewed.fingerprint);
    expect((await httpsGet(renewed.pem)).status).toBe(200);
    expect(proxy.process.pid).toBe(pid);
  });

  it('rejects a reload whose key does not belong to the certificate and keeps serving the old one', async () => {
    const mark = proxy.logs.length;
    install(first, { key: true });
    proxy.reload(config);
    const rejected = await logAfter(mark, (line) => String(line.msg).startsWith('config reload rejected') && line.code === 'CONFIG_TLS_INVALID');
    expect(JSON.stringify(rejected.problems)).toContain('listen.tls.keyFile');
    expect(await presentedFingerprint()).toBe(renewed.fingerprint);
    expect((await httpsGet(renewed.pem)).status).toBe(200);
    install(renewed);
  });

  it('refuses to start when a certificate file is missing, naming the setting and the file', async () => {
    const missing = join(dir, 'missing.crt');
    await expect(spawnProxy({ ...config, listen: { port: 0, tls: { ...served, watchInterval: 0, certFile: missing } } })).rejects.toThrow(
      new RegExp(`CONFIG_TLS_UNREADABLE.*listen\\.tls\\.certFile.*${missing.replaceAll('/', '\\/')}.*ENOENT`),
    );
  });

  it('with watchInterval, serves renewed files without a reload, and keeps the old certificate while the new pair does not load', async () => {
    let mark = proxy.logs.length;
    proxy.reload({ ...config, listen: { port: 0, tls: { ...served, watchInterval: '200ms' } } });
    await logAfter(mark, (line) => line.msg === 'config reloaded');
    const reloads = proxy.logs.filter((line) => line.msg === 'reloading config').length;
    // A renewal half done: the new certificate, the old key.
    mark = proxy.logs.length;
    install(first, { cert: true });
    const broken = await logAfter(mark, (line) => line.code === 'CONFIG_TLS_INVALID' && String(line.msg).startsWith('TLS certificate files changed'));
    expect(JSON.stringify(broken.problems)).toContain('listen.tls.keyFile');
    expect(await presentedFingerprint()).toBe(renewed.fingerprint);
    // The key arrives: the pair loads and is served at the next check.
    mark = proxy.logs.length;
    install(first, { key: true });
    await logAfter(mark, (line) => line.msg === 'TLS certificate loaded' && String(line.subject).includes('CN=first'));
    expect(await presentedFingerprint()).toBe(first.fingerprint);
    expect((await httpsGet(first.pem)).status).toBe(200);
    expect(proxy.logs.filter((line) => line.msg === 'reloading config')).toHaveLength(reloads);
  });
});
