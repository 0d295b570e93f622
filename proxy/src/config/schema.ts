import { z } from 'zod';
import { metricsConfigSchema } from '../metrics/metrics-config.ts';
import { telemetryConfigSchema } from '../telemetry/telemetry-config.ts';
import { byteSize, duration } from './duration.ts';

const hostName = z
  .string()
  .min(1)
  .transform((host) => host.toLowerCase())
  .refine((host) => /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host), {
    message: 'expected a host name such as "my-service.my-company.com" or "*.my-company.com" (no port, no scheme)',
  });

const upstreamUrl = z.string().refine(
  (text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return url.protocol === 'http:' && (url.pathname === '/' || url.pathname === '') && !url.search && !url.username;
  },
  { message: 'expected an upstream origin such as "http://127.0.0.1:9001" (http, no path, query or credentials)' },
);

const balancer = z.preprocess(
  (value) => (typeof value === 'string' ? { type: value } : value),
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('round-robin') }),
    z.strictObject({ type: z.literal('least-request') }),
    z.strictObject({
      type: z.literal('sticky-cookie'),
      cookie: z.string().regex(/^[A-Za-z0-9_-]+$/).default('lookout_affinity'),
      maxAgeSeconds: z.number().int().positive().optional(),
      fallback: z.enum(['round-robin', 'least-request']).default('round-robin'),
    }),
    z.strictObject({
      type: z.literal('consistent-hash'),
      on: z.enum(['header', 'cookie', 'client-ip']),
      name: z.string().min(1).optional(),
    }),
  ]),
);

const healthCheck = z.strictObject({
  path: z.string().startsWith('/').default('/health'),
  interval: duration.default(2_000),
  timeout: duration.default(1_000),
  healthyThreshold: z.number().int().positive().default(2),
  unhealthyThreshold: z.number().int().positive().default(2),
});

const outlierDetection = z.strictObject({
  consecutiveFailures: z.number().int().positive().default(5),
  baseEjection: duration.default(30_000),
  maxEjection: duration.default(300_000),
  maxEjectedPercent: z.number().min(0).max(100).default(50),
});

const timeouts = z.strictObject({
  /** TCP connect to a member. */
  connect: duration.default(2_000),
  /** From sending the request until the response headers arrive (per try). */
  headers: duration.default(30_000),
  /** Longest pause between two chunks of the response body. */
  bodyIdle: duration.default(30_000),
  /** Whole exchange, all tries included; 0 disables. */
  total: duration.default(0),
});

const retries = z.strictObject({
  /** Extra tries after the first one. */
  attempts: z.number().int().min(0).max(10).default(2),
  /**
   * A response to a retryable request (idempotent, no body) whose Content-Length is at most this
   * is held until its last byte before the client sees it, so that a member failing mid-body is
   * retried elsewhere instead of the client getting a cut-off body. 0 streams every response.
   */
  holdResponseBody: byteSize.default(64 * 1024),
  budget: z
    .strictObject({
      ratio: z.number().min(0).max(1).default(0.2),
      minPerSecond: z.number().min(0).default(10),
    })
    .prefault({}),
});

const concurrency = z.strictObject({
  /** Concurrent requests to the pool; 0 = unlimited. */
  max: z.number().int().min(0).default(0),
  /** Requests that may wait for a slot when `max` is reached. */
  queue: z.number().int().min(0).default(0),
  queueTimeout: duration.default(1_000),
});

const upstream = z.strictObject({ url: upstreamUrl, weight: z.number().int().min(1).max(1000).default(1) });
const upstreamList = z.array(upstream).min(1);
/** A blue/green pool: a list of upstreams, like `upstreams`. */
const colorPool = (color: string) =>
  z
    .array(upstream, { error: (issue) => (issue.input === undefined ? `expected the ${color} pool: a list such as [{ url: "http://10.0.0.1:9001" }]` : undefined) })
    .min(1);

/** The two colours of a blue/green service. */
export const POOL_COLORS = ['blue', 'green'] as const;

/**
 * Blue/green release: two pools, one of which (`active`) takes new requests. Switching the
 * colour (admin API or a reload that changes `active`) moves new requests at once; requests in
 * flight finish on the pool they started on.
 */
const blueGreen = z.strictObject({
  active: z.enum(POOL_COLORS, { error: 'expected the active colour: "blue" or "green"' }),
  blue: colorPool('blue'),
  green: colorPool('green'),
});

const service = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a name of letters, digits, ".", "_" or "-"'),
    hosts: z.array(hostName).min(1),
    /** Route only paths under this prefix (longest prefix wins among services sharing a host). */
    pathPrefix: z.string().startsWith('/').default('/'),
    stripPrefix: z.boolean().default(false),
    balancer: balancer.default({ type: 'round-robin' }),
    /** One pool of members; exclusive with `blueGreen`. */
    upstreams: upstreamList.optional(),
    /** Two pools (blue, green) and the active colour; exclusive with `upstreams`. */
    blueGreen: blueGreen.optional(),
    /** `preserve` forwards the client's Host; `upstream` uses the member's host:port; any other value is sent as is. */
    hostHeader: z.string().default('preserve'),
    via: z.boolean().default(false),
    timeouts: timeouts.prefault({}),
    retries: retries.prefault({}),
    healthCheck: z.union([healthCheck, z.literal(false)]).default(false),
    outlierDetection: z.union([outlierDetection, z.literal(false)]).prefault({}),
    concurrency: concurrency.prefault({}),
    /** Connections kept per member. */
    connectionsPerMember: z.number().int().positive().default(128),
    maxRequestBodyBytes: byteSize.optional(),
  })
  .superRefine((svc, ctx) => {
    if (svc.upstreams === undefined && svc.blueGreen === undefined) {
      ctx.addIssue({ code: 'custom', path: ['upstreams'], message: 'expected "upstreams" (one pool) or "blueGreen" (blue and green pools)' });
    }
    if (svc.upstreams !== undefined && svc.blueGreen !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['blueGreen'], message: '"upstreams" and "blueGreen" exclude each other: list the members under blueGreen.blue and blueGreen.green' });
    }
    if (svc.blueGreen !== undefined) {
      const blue = new Set(svc.blueGreen.blue.map((upstream) => new URL(upstream.url).origin));
      svc.blueGreen.green.forEach((upstream, index) => {
        if (blue.has(new URL(upstream.url).origin)) {
          ctx.addIssue({ code: 'custom', path: ['blueGreen', 'green', index, 'url'], message: `"${upstream.url}" is also in the blue pool: the two colours must not share members` });
        }
      });
    }
  });

export const proxyConfigSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /**
         * TLS termination: the listener speaks HTTPS (HTTP/1.1) with this certificate chain and
         * key, read from files at start and again at every reload (rotation without a restart).
         */
        tls: z
          .strictObject({
            /** PEM certificate chain: the server certificate first, then intermediates. */
            certFile: z.string().min(1),
            /** PEM private key of the certificate. */
            keyFile: z.string().min(1),
            minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
            /** How often the two files are checked for a change (a renewal); 0 = only at reload. */
            watchInterval: duration.default(60_000),
          })
          .optional(),
      })
      .prefault({}),
    /** Worker processes (Node cluster); `auto` = one per core. */
    workers: z.union([z.number().int().min(1).max(256), z.literal('auto')]).default(1),
    limits: z
      .strictObject({
        maxHeaderBytes: byteSize.default(16 * 1024),
        maxRequestBodyBytes: byteSize.default(1024 ** 3),
        /** Time a client has to send complete request headers (408 after). */
        clientHeadersTimeout: duration.default(10_000),
        /** Idle keep-alive connections from clients are closed after this. */
        clientKeepAliveTimeout: duration.default(5_000),
        /** Time a client has to send the whole request, body included (408 after). */
        clientRequestTimeout: duration.default(300_000),
      })
      .prefault({}),
    drain: z
      .strictObject({
        /** After SIGTERM, /ready answers 503 for this long before the listener closes. */
        delay: duration.default(0),
        /** In-flight requests get this long to finish before connections are cut. */
        timeout: duration.default(30_000),
      })
      .prefault({}),
    /** Admin API (metrics, status, reload) on its own port; off unless configured. */
    admin: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9901),
        /** File holding the bearer token (else the LOOKOUT_ADMIN_TOKEN environment variable). */
        tokenFile: z.string().optional(),
      })
      .optional(),
    /** OTLP metrics export (Prometheus text is always on the admin API's /metrics). */
    metrics: metricsConfigSchema,
    services: z.array(service).default([]),
    telemetry: telemetryConfigSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    const routes = new Map<string, string>();
    config.services.forEach((svc, index) => {
      if (names.has(svc.name)) {
        ctx.addIssue({ code: 'custom', path: ['services', index, 'name'], message: `duplicate service name "${svc.name}"` });
      }
      names.add(svc.name);
      for (const host of svc.hosts) {
        const key = `${host}${svc.pathPrefix}`;
        const owner = routes.get(key);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', index, 'hosts'],
            message: `host "${host}" with path prefix "${svc.pathPrefix}" is already routed to service "${owner}"`,
          });
        }
        routes.set(key, svc.name);
      }
    });
  });

/** The validated proxy configuration, defaults applied. */
export type ProxyConfig = z.output<typeof proxyConfigSchema>;
export type ServiceConfig = ProxyConfig['services'][number];
export type BalancerConfig = ServiceConfig['balancer'];
export type UpstreamConfig = NonNullable<ServiceConfig['upstreams']>[number];
/** A blue/green pool's colour. */
export type PoolColor = (typeof POOL_COLORS)[number];
