import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

/**
 * The admin API's defences, on real proxy processes: loopback unless configured otherwise,
 * refused entirely without a configured token, the token from a file taking precedence over
 * the environment, near-miss tokens refused, and the token never logged.
 */

const running: SpawnedProxy[] = [];

afterEach(async () => {
  for (const proxy of running.splice(0)) await proxy.stop();
});

async function start(admin: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<{ proxy: SpawnedProxy; admin: string; host: string; port: number }> {
  const proxy = await spawnProxy({ listen: { port: 0 }, admin: { port: 0, ...admin }, services: [] }, { env: { LOOKOUT_ADMIN_TOKEN: '', ...env } });
  running.push(proxy);
  const line = await proxy.waitForLog((l) => l.msg === 'admin listening');
  return { proxy, admin: `http://127.0.0.1:${line.port as number}`, host: line.host as string, port: line.port as number };
}

async function status(base: string, authorization?: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${base}/status`, { headers: authorization === undefined ? {} : { authorization } });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

function refusesConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('admin API hardening', () => {
  it('listens on loopback only by default', async () => {
    const { host, port } = await start({}, { LOOKOUT_ADMIN_TOKEN: 'x' });
    expect(host).toBe('127.0.0.1');
    const external = externalAddress();
    if (external !== undefined) expect(await refusesConnections(external, port)).toBe(true);
  });

  it('refuses every endpoint but /metrics when no token is configured', async () => {
    const { admin } = await start({});
    expect(await status(admin)).toEqual({ status: 403, code: 'ADMIN_TOKEN_NOT_CONFIGURED' });
    expect(await status(admin, 'Bearer ')).toEqual({ status: 403, code: 'ADMIN_TOKEN_NOT_CONFIGURED' });
    const reload = await fetch(`${admin}/reload`, { method: 'POST' });
    expect(reload.status).toBe(403);
  });

  it('reads the token from admin.tokenFile before the environment, refuses near misses and never logs it', async () => {
    const token = `file-token-${randomBytes(8).toString('hex')}`;
    const envToken = `env-token-${randomBytes(8).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'lookout-admin-'));
    const tokenFile = join(dir, 'admin-token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const { proxy, admin } = await start({ tokenFile }, { LOOKOUT_ADMIN_TOKEN: envToken, LOG_LEVEL: 'debug' });

    expect((await status(admin, `Bearer ${token}`)).status).toBe(200);
    const nearMisses = [
      undefined,
      `Bearer ${envToken}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Bearer ${token.toUpperCase()}`,
      `bearer ${token}`,
      `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`,
      token,
      `Bearer  ${token.slice(1)}`,
    ];
    for (const authorization of nearMisses) {
      expect(await status(admin, authorization), String(authorization)).toEqual({ status: 401, code: 'ADMIN_UNAUTHORIZED' });
    }
    const logs = proxy.logs.map((line) => JSON.stringify(line)).join('\n');
    expect(logs).toContain('admin listening');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(envToken);
  });
});
