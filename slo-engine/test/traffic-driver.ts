import { Agent, request } from 'undici';

/** Steady traffic to a proxy at a fixed rate, a set share of it asking the echo upstream for a 503. */
export interface TrafficDriver {
  /** From now on, this share of requests fails (exactly: spread evenly over the requests). */
  setErrorShare(share: number): void;
  /** Requests sent and answered so far, by status. */
  readonly statuses: Map<number, number>;
  stop(): Promise<void>;
}

/**
 * Sends `ratePerSecond` GET requests per second to `url` with `Host: host` until stopped, at
 * most `maxRequests` (a bound, whatever happens). Request i fails on purpose when
 * floor((i + 1) * share) > floor(i * share), so any window holds the share to within one request.
 */
export function startTraffic(url: string, host: string, options: { readonly ratePerSecond: number; readonly errorShare?: number; readonly maxRequests?: number }): TrafficDriver {
  const dispatcher = new Agent({ connections: 8 });
  const statuses = new Map<number, number>();
  const maxRequests = options.maxRequests ?? 20_000;
  let share = options.errorShare ?? 0;
  let index = 0;
  let sincePhase = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();

  const send = (): void => {
    const failing = Math.floor((sincePhase + 1) * share) > Math.floor(sincePhase * share);
    sincePhase++;
    index++;
    const sent = request(`${url}/checkout/${index}`, {
      method: 'GET',
      headers: { host, ...(failing && { 'x-echo-status': '503' }) },
      dispatcher,
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    })
      .then(async (response) => {
        await response.body.dump();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      })
      .catch(() => {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      })
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };

  const timer = setInterval(() => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - started) / 1_000) * options.ratePerSecond);
    while (index < due && index < maxRequests) send();
    if (index >= maxRequests) stopped = true;
  }, 10);

  return {
    setErrorShare(next) {
      share = next;
      sincePhase = 0;
    },
    statuses,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight);
      await dispatcher.close();
    },
  };
}
