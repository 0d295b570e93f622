import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CHECK = join(resolve(import.meta.dirname, '..'), 'check-proxy.sh');
const dir = mkdtempSync(join(tmpdir(), 'lookout-keepalived-check-'));
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in proxy on loopback whose /health answers `status`. */
async function serve(status: number, tls: boolean): Promise<string> {
  const answer: RequestListener = (req, res) => res.writeHead(req.url === '/health' ? status : 404).end();
  let server: Server;
  if (tls) {
    // A certificate for the public name only, as a real proxy would have.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=my-service.my-company.com', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    server = createHttpsServer({ cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) }, answer);
  } else {
    server = createHttpServer(answer);
  }
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

/** The script's exit code for `url`. */
function check(url: string): Promise<number> {
  return new Promise((resolve) => execFile(CHECK, [url], (error) => resolve(error ? ((error.code as number) ?? 1) : 0)));
}

describe('check-proxy.sh', () => {
  it('succeeds while /health answers 2xx, over HTTP and over HTTPS (certificate not for 127.0.0.1)', async () => {
    expect(await check(await serve(200, false))).toBe(0);
    expect(await check(await serve(200, true))).toBe(0);
  });

  it('fails when /health answers 503 or nothing listens', async () => {
    expect(await check(await serve(503, true))).not.toBe(0);
    expect(await check(await serve(503, false))).not.toBe(0);
    expect(await check('http://127.0.0.1:1/health')).not.toBe(0);
  });
});
