import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Member } from '../upstream/member.ts';
import { ActiveHealthCheck, type ActiveHealthCheckOptions } from './active-health-check.ts';

/** A real upstream on 127.0.0.1 whose health answer the test controls. */
class Upstream {
  server: Server | undefined;
  port = 0;
  status = 200;
  /** Statuses answered in turn, cycling; overrides `status` when set. */
  script: number[] | undefined;
  /** Milliseconds before answering; Infinity = never. */
  delayMs = 0;
  /** Answer 200 with a promised 1 KiB body, send 10 bytes of it, then reset the connection. */
  resetMidBody = false;
  readonly requests: { method: string; url: string; host: string | undefined }[] = [];

  async start(port = 0): Promise<void> {
    this.server = createServer((request: IncomingMessage, response) => {
      this.requests.push({ method: request.method!, url: request.url!, host: request.headers.host });
      if (this.delayMs === Infinity) return;
      if (this.resetMidBody) {
        response.writeHead(200, { 'content-length': '1024' });
        response.write('0123456789', () => response.socket?.resetAndDestroy());
        return;
      }
      const status = this.script === undefined ? this.status : this.script[(this.requests.length - 1) % this.script.length]!;
      setTimeout(() => response.writeHead(status, { 'content-type': 'text/plain' }).end('ok'), this.delayMs);
    });
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }
}

const upstreams: Upstream[] = [];
const checks: ActiveHealthCheck[] = [];

afterEach(async () => {
  await Promise.all(checks.splice(0).map((check) => check.stop()));
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.stop()));
});

async function upstream(): Promise<Upstream> {
  const created = new Upstream();
  upstreams.push(created);
  await created.start();
  return created;
}

function memberFor(target: Upstream): Member {
  const url = `http://127.0.0.1:${target.port}`;
  return new Member({ url, weight: 1 }, new Pool(url));
}

function checking(members: Member[], options: ActiveHealthCheckOptions = {}) {
  const transitions: string[] = [];
  const check = new ActiveHealthCheck(members, {
    intervalMs: 20,
    timeoutMs: 300,
    onTransition: (member, healthy, reason) => transitions.push(`${members.indexOf(member)} ${healthy ? 'healthy' : 'unhealthy'} (${reason})`),
    ...options,
  });
  checks.push(check);
  check.start();
  return { check, transitions };
}

const WAIT = { timeout: 5_000, interval: 10 };

describe('ActiveHealthCheck', () => {
  it('sends GET /health to every member and leaves healthy members alone', async () => {
    const [a, b] = [await upstream(), await upstream()];
    const members = [memberFor(a), memberFor(b)];
    const { transitions } = checking(members);
    await vi.waitFor(() => expect(Math.min(a.requests.length, b.requests.length)).toBeGreaterThanOrEqual(3), WAIT);
    expect(a.requests[0]).toEqual({ method: 'GET', url: '/health', host: `127.0.0.1:${a.port}` });
    expect(members.every((m) => m.healthy)).toBe(true);
    expect(transitions).toEqual([]);
  });

  it('marks a member unhealthy after two failed checks and healthy again after two passed ones', async () => {
    const target = await upstream();
    const member = memberFor(target);
    target.status = 503;
    const { transitions } = checking([member]);
    await vi.waitFor(() => expect(member.healthy).toBe(false), WAIT);
    expect(target.requests.length).toBeGreaterThanOrEqual(2);
    const failedChecks = target.requests.length;
    target.status = 204;
    await vi.waitFor(() => expect(member.healthy).toBe(true), WAIT);
    expect(target.requests.length - failedChecks).toBeGreaterThanOrEqual(2);
    expect(transitions).toEqual(['0 unhealthy (status 503)', '0 healthy (status 204)']);
  });

  it('does not flip a member on fewer failed checks in a row than the threshold', async () => {
    const target = await upstream();
    target.script = [500, 500, 200];
    const member = memberFor(target);
    const { transitions } = checking([member], { unhealthyThreshold: 3 });
    // Two failures then a success, over and over: never three failures in a row.
    await vi.waitFor(() => expect(target.requests.length).toBeGreaterThanOrEqual(12), WAIT);
    expect(transitions).toEqual([]);
    expect(member.healthy).toBe(true);
  });

  it('takes a stopped upstream out and brings it back when it restarts on the same port', async () => {
    const target = await upstream();
    const member = memberFor(target);
    const { transitions } = checking([member]);
    await vi.waitFor(() => expect(target.requests.length).toBeGreaterThanOrEqual(1), WAIT);
    const port = target.port;
    await target.stop();
    await vi.waitFor(() => expect(member.healthy).toBe(false), WAIT);
    await target.start(port);
    await vi.waitFor(() => expect(member.healthy).toBe(true), WAIT);
    expect(transitions).toEqual(['0 unhealthy (ECONNREFUSED)', '0 healthy (status 200)']);
  });

  it('fails a check that takes longer than the timeout', async () => {
    const target = await upstream();
    target.delayMs = Infinity;
    const member = memberFor(target);
    const { transitions } = checking([member], { timeoutMs: 50 });
    await vi.waitFor(() => expect(member.healthy).toBe(false), WAIT);
    expect(transitions).toEqual(['0 unhealthy (timeout)']);
  });

  it('fails a check whose 200 response is cut off mid-body', async () => {
    const target = await upstream();
    target.resetMidBody = true;
    const member = memberFor(target);
    const { transitions } = checking([member]);
    await vi.waitFor(() => expect(member.healthy).toBe(false), WAIT);
    expect(transitions).toEqual([expect.stringMatching(/^0 unhealthy \((?!status)/)]);
  });

  it('judges members independently', async () => {
    const [good, bad] = [await upstream(), await upstream()];
    bad.status = 502;
    const members = [memberFor(good), memberFor(bad)];
    const { transitions } = checking(members);
    await vi.waitFor(() => expect(members[1]!.healthy).toBe(false), WAIT);
    expect(members[0]!.healthy).toBe(true);
    expect(transitions).toEqual(['1 unhealthy (status 502)']);
  });

  it('uses the configured path, Host header and expected statuses', async () => {
    const target = await upstream();
    const member = memberFor(target);
    target.status = 302;
    const { transitions } = checking([member], { path: '/ready?deep=1', host: 'svc.internal', expectedStatus: [200, 299] });
    await vi.waitFor(() => expect(member.healthy).toBe(false), WAIT);
    expect(target.requests[0]).toEqual({ method: 'GET', url: '/ready?deep=1', host: 'svc.internal' });
    expect(transitions).toEqual(['0 unhealthy (status 302)']);
  });

  it('opens a fresh connection for every check', async () => {
    const target = await upstream();
    let connections = 0;
    target.server!.on('connection', () => connections++);
    checking([memberFor(target)]);
    await vi.waitFor(() => expect(target.requests.length).toBeGreaterThanOrEqual(4), WAIT);
    expect(connections).toBeGreaterThanOrEqual(target.requests.length);
  });

  it('stops checking when stopped, aborting a check in flight without a transition', async () => {
    const target = await upstream();
    target.delayMs = Infinity;
    const member = memberFor(target);
    const { check, transitions } = checking([member], { timeoutMs: 2_000 });
    await vi.waitFor(() => expect(target.requests.length).toBe(1), WAIT);
    await check.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.requests.length).toBe(1);
    expect(transitions).toEqual([]);
    expect(member.healthy).toBe(true);
  });

  it('can be started again after a stop, keeping the members state', async () => {
    const target = await upstream();
    target.status = 500;
    const member = memberFor(target);
    const { check, transitions } = checking([member]);
    await vi.waitFor(() => expect(member.healthy).toBe(false), WAIT);
    await check.stop();
    target.status = 200;
    check.start();
    check.start();
    await vi.waitFor(() => expect(member.healthy).toBe(true), WAIT);
    expect(transitions).toEqual(['0 unhealthy (status 500)', '0 healthy (status 200)']);
  });

  it('never keeps the process alive by itself', async () => {
    const target = await upstream();
    const script = `
      import { Pool } from 'undici';
      import { Member } from ${JSON.stringify(new URL('../upstream/member.ts', import.meta.url).href)};
      import { ActiveHealthCheck } from ${JSON.stringify(new URL('./active-health-check.ts', import.meta.url).href)};
      const url = 'http://127.0.0.1:${target.port}';
      new ActiveHealthCheck([new Member({ url, weight: 1 }, new Pool(url))], { intervalMs: 20 }).start();
      setTimeout(() => console.log('started'), 200);
    `;
    const started = Date.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, timeout: 10_000 }, (error, out) =>
        error ? reject(error) : resolve(out),
      );
    });
    expect(stdout.trim()).toBe('started');
    expect(target.requests.length).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);

  it('rejects settings that make no sense', () => {
    expect(() => new ActiveHealthCheck([], { path: 'health' })).toThrow(/path/);
    expect(() => new ActiveHealthCheck([], { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new ActiveHealthCheck([], { unhealthyThreshold: -1 })).toThrow(/unhealthyThreshold/);
  });
});
