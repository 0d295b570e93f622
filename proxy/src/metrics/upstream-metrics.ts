import type { Attributes, HrTime } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { gaugeData, sumData, type Point } from './metric-data.ts';
import { ATTR, METRICS } from './metric-descriptors.ts';

/** undici's `Pool#stats` (https://undici.nodejs.org/#/docs/api/PoolStats). */
export interface PoolStatsView {
  /** Open connections. */
  readonly connected: number;
  /** Open connections not serving a request. */
  readonly free: number;
  /** Requests not yet written: those waiting in the pool (`queued`) and those assigned to a connection. */
  readonly pending: number;
  /** Requests waiting in the pool for a connection. */
  readonly queued: number;
  /** Requests written, awaiting their response. */
  readonly running: number;
  /** pending + running. */
  readonly size: number;
}

/** What the metrics read of an upstream member (the proxy's `Member` fits). */
export interface UpstreamMemberView {
  /** Origin, e.g. `http://127.0.0.1:9001`. */
  readonly url: string;
  readonly id: string;
  readonly healthy: boolean;
  /** Epoch ms until which the member is ejected; 0 = not ejected. */
  readonly ejectedUntil: number;
  /** Tries in flight to this member. */
  readonly active: number;
  readonly pool: { readonly stats: PoolStatsView };
}

/** One member of one service. */
export interface ServiceMember {
  readonly service: string;
  readonly member: UpstreamMemberView;
  /** Blue/green colour of the member's pool; undefined for a service with one pool. */
  readonly color?: string | undefined;
  /** Whether the member's pool takes new requests (blue/green: the active colour). */
  readonly active?: boolean;
}

/**
 * Returns the members routed to now. Called at every collection, so members added or removed
 * by a config reload appear and disappear without re-registering anything.
 */
export type MembersProvider = () => Iterable<ServiceMember>;

/** Attribute sets of one (service, member) pair, built once and reused at every collection. */
interface MemberAttributes {
  readonly url: string;
  readonly color: string | undefined;
  readonly base: Attributes;
  readonly connectionsActive: Attributes;
  readonly connectionsIdle: Attributes;
  readonly queued: Attributes;
  readonly pending: Attributes;
  readonly running: Attributes;
}

interface CounterCell {
  readonly attributes: Attributes;
  value: number;
}

/**
 * Upstream pool statistics read from undici at collection time, plus counters of retries and
 * failed tries that the exchange reports as they happen (rare events: a string key is fine).
 */
export class UpstreamMetrics {
  readonly #startTime: HrTime;
  readonly #attributes = new WeakMap<UpstreamMemberView, Map<string, MemberAttributes>>();
  readonly #retries = new Map<string, CounterCell>();
  readonly #failures = new Map<string, CounterCell>();
  #members: MembersProvider | undefined = undefined;

  constructor(startTime: HrTime) {
    this.#startTime = startTime;
  }

  /** Sets (or replaces) the source of the member list. */
  setMembersProvider(provider: MembersProvider | undefined): void {
    this.#members = provider;
  }

  /** Counts tries repeated on another member; call once per request with `tries - 1`. */
  recordRetries(service: string, retries: number): void {
    if (!(retries > 0)) return;
    let cell = this.#retries.get(service);
    if (cell === undefined) {
      cell = { attributes: { [ATTR.service]: service }, value: 0 };
      this.#retries.set(service, cell);
    }
    cell.value += retries;
  }

  /** Counts one failed try to `memberUrl`; `errorType` is the termination code of the failure. */
  recordUpstreamFailure(service: string, memberUrl: string, errorType: string): void {
    const key = `${service}\n${memberUrl}\n${errorType}`;
    let cell = this.#failures.get(key);
    if (cell === undefined) {
      const { address, port } = serverOf(memberUrl);
      cell = { attributes: { [ATTR.service]: service, 'server.address': address, 'server.port': port, 'error.type': errorType }, value: 0 };
      this.#failures.set(key, cell);
    }
    cell.value++;
  }

  collect(endTime: HrTime): MetricData[] {
    const connections: Point[] = [];
    const active: Point[] = [];
    const requests: Point[] = [];
    const healthy: Point[] = [];
    const ejected: Point[] = [];
    const pools = new Map<string, Point>();
    const now = Date.now();
    for (const { service, member, color, active: poolActive } of this.#members?.() ?? []) {
      const attributes = this.#attributesOf(service, member, color);
      if (color !== undefined) pools.set(`${service}\n${color}`, { attributes: { [ATTR.service]: service, [ATTR.upstreamColor]: color }, value: poolActive === true ? 1 : 0 });
      const stats = member.pool.stats;
      connections.push({ attributes: attributes.connectionsActive, value: stats.connected - stats.free }, { attributes: attributes.connectionsIdle, value: stats.free });
      active.push({ attributes: attributes.base, value: member.active });
      requests.push(
        { attributes: attributes.queued, value: stats.queued },
        { attributes: attributes.pending, value: stats.pending - stats.queued },
        { attributes: attributes.running, value: stats.running },
      );
      healthy.push({ attributes: attributes.base, value: member.healthy ? 1 : 0 });
      ejected.push({ attributes: attributes.base, value: member.ejectedUntil > now ? 1 : 0 });
    }
    const start = this.#startTime;
    const metrics: MetricData[] = [];
    if (connections.length > 0) {
      metrics.push(
        sumData(METRICS.httpClientOpenConnections, false, connections, start, endTime),
        sumData(METRICS.httpClientActiveRequests, false, active, start, endTime),
        sumData(METRICS.upstreamRequests, false, requests, start, endTime),
        gaugeData(METRICS.upstreamMemberHealthy, healthy, start, endTime),
        gaugeData(METRICS.upstreamMemberEjected, ejected, start, endTime),
      );
    }
    if (pools.size > 0) metrics.push(gaugeData(METRICS.upstreamPoolActive, [...pools.values()], start, endTime));
    if (this.#retries.size > 0) metrics.push(sumData(METRICS.upstreamRetries, true, [...this.#retries.values()], start, endTime));
    if (this.#failures.size > 0) metrics.push(sumData(METRICS.upstreamFailures, true, [...this.#failures.values()], start, endTime));
    return metrics;
  }

  #attributesOf(service: string, member: UpstreamMemberView, color: string | undefined): MemberAttributes {
    let byService = this.#attributes.get(member);
    if (byService === undefined) {
      byService = new Map();
      this.#attributes.set(member, byService);
    }
    let attributes = byService.get(service);
    if (attributes === undefined || attributes.url !== member.url || attributes.color !== color) {
      const { address, port, scheme } = serverOf(member.url);
      // server.address/port identify the member as the semantic conventions ask of HTTP
      // client metrics; lookout.service names the pool it serves.
      // lookout.upstream.color (blue/green pools only) tells the two colours' members apart.
      const base: Attributes = { [ATTR.service]: service, 'server.address': address, 'server.port': port, 'url.scheme': scheme };
      if (color !== undefined) base[ATTR.upstreamColor] = color;
      attributes = {
        url: member.url,
        color,
        base,
        connectionsActive: { ...base, 'http.connection.state': 'active' },
        connectionsIdle: { ...base, 'http.connection.state': 'idle' },
        queued: { ...base, [ATTR.upstreamRequestState]: 'queued' },
        pending: { ...base, [ATTR.upstreamRequestState]: 'pending' },
        running: { ...base, [ATTR.upstreamRequestState]: 'running' },
      };
      byService.set(service, attributes);
    }
    return attributes;
  }
}

function serverOf(origin: string): { address: string; port: number; scheme: string } {
  if (!URL.canParse(origin)) return { address: origin, port: 0, scheme: '' };
  const url = new URL(origin);
  const scheme = url.protocol.slice(0, -1);
  const address = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { address, port: Number(url.port || (scheme === 'https' ? 443 : 80)), scheme };
}
