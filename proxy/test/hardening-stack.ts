import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { parseRequestEvent, type RequestEvent } from '@lookout/telemetry';
import { RawConnection, type RawResponse } from './hardening-raw-connection.ts';
import { spawnProxy, type SpawnedProxy } from './spawn-proxy.ts';

/** Limits the hardening stack's proxy runs with; tests assert against these numbers. */
export const HARDENING_LIMITS = {
  maxHeaderBytes: 8 * 1024,
  maxRequestBodyBytes: 64 * 1024,
  clientHeadersTimeoutMs: 1_000,
  clientRequestTimeoutMs: 2_000,
} as const;

/**
 * A real proxy process in front of two echo upstreams, on the embedded telemetry store:
 * `app.test` routes `/` to the echo named `public` and `/admin` to the echo named `admin`, so a
 * test can tell which route a path took from the echo's `instance` and from the event.
 */
export interface HardeningStack {
  readonly proxy: SpawnedProxy;
  readonly publicEcho: SpawnedEchoUpstream;
  readonly adminEcho: SpawnedEchoUpstream;
  /** The proxy's SQLite telemetry file. */
  readonly eventsFile: string;
  /** The highest event sequence number stored so far: pass it to {@link eventsAfter}. */
  mark(): number;
  /**
   * The events stored after `mark`, once `count` of them are there and no more arrived during
   * a short settling time (so "exactly one" is checked, not "at least one").
   */
  eventsAfter(mark: number, count: number): Promise<RequestEvent[]>;
  /** Opens a raw connection to the proxy. */
  connect(): Promise<RawConnection>;
  /** A well-formed request on a fresh connection (the proxy still serves); resolves once its event is stored. */
  goodRequest(): Promise<RawResponse>;
  stop(): Promise<void>;
}

/**
 * Starts the stack; `extraConfig` is merged over the proxy config's top level and
 * `serviceConfig` over each of the two services.
 */
export async function startHardeningStack(extraConfig: Record<string, unknown> = {}, serviceConfig: Record<string, unknown> = {}): Promise<HardeningStack> {
  const publicEcho = await spawnEchoUpstream({ name: 'public' });
  const adminEcho = await spawnEchoUpstream({ name: 'admin' });
  const proxy = await spawnProxy({
    listen: { port: 0 },
    limits: {
      maxHeaderBytes: HARDENING_LIMITS.maxHeaderBytes,
      maxRequestBodyBytes: HARDENING_LIMITS.maxRequestBodyBytes,
      clientHeadersTimeout: `${HARDENING_LIMITS.clientHeadersTimeoutMs}ms`,
      clientRequestTimeout: `${HARDENING_LIMITS.clientRequestTimeoutMs}ms`,
    },
    services: [
      { name: 'public', hosts: ['app.test'], upstreams: [{ url: publicEcho.url }], retries: { attempts: 0 }, ...serviceConfig },
      { name: 'admin', hosts: ['app.test'], pathPrefix: '/admin', upstreams: [{ url: adminEcho.url }], retries: { attempts: 0 }, ...serviceConfig },
    ],
    ...extraConfig,
  });
  const eventsFile = join(dirname(proxy.configFile), 'telemetry.sqlite');
  let db: DatabaseSync | undefined;
  const open = (): DatabaseSync => (db ??= new DatabaseSync(eventsFile, { readOnly: true }));
  const rows = (after: number): { seq: number; doc: string }[] => {
    try {
      return open().prepare('SELECT seq, doc FROM request_events WHERE seq > ? ORDER BY seq').all(after) as { seq: number; doc: string }[];
    } catch (error) {
      // The sink creates the table with its first batch.
      if (/no such table/.test((error as Error).message)) {
        db?.close();
        db = undefined;
        return [];
      }
      throw error;
    }
  };

  const mark = (): number => {
    try {
      return (open().prepare('SELECT MAX(seq) AS seq FROM request_events').get() as { seq: number | null }).seq ?? 0;
    } catch (error) {
      if (/no such table/.test((error as Error).message)) return 0;
      throw error;
    }
  };

  return {
    proxy,
    publicEcho,
    adminEcho,
    eventsFile,
    mark,
    async eventsAfter(mark, count) {
      const deadline = Date.now() + 5_000;
      let found = rows(mark);
      while (found.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        found = rows(mark);
      }
      // Any extra event would arrive with the same batch or the next flush.
      await new Promise((resolve) => setTimeout(resolve, 300));
      found = rows(mark);
      return found.map((row) => parseRequestEvent(JSON.parse(row.doc)));
    },
    connect: () => RawConnection.open(proxy.port),
    async goodRequest() {
      const before = mark();
      const connection = await RawConnection.open(proxy.port);
      connection.write('GET /still-serving HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
      try {
        const response = await connection.response();
        // Its event is stored before the next test takes its mark.
        const deadline = Date.now() + 5_000;
        while (!rows(before).some((row) => row.doc.includes('"/still-serving"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        return response;
      } finally {
        connection.destroy();
      }
    },
    async stop() {
      db?.close();
      await proxy.stop();
      await publicEcho.stop();
      await adminEcho.stop();
    },
  };
}
