import { createRequestEventId, exampleRequestEvent, type RequestEvent } from '@lookout/telemetry';

/**
 * `count` request events of `service` spread evenly over the last `spanMs` (ending a few seconds
 * ago), the first `failing` of them answered 503; no probes, termination `ok`.
 */
export function recentEvents(service: string, count: number, failing: number, spanMs: number): RequestEvent[] {
  const end = Date.now() - 1_000;
  return Array.from({ length: count }, (_, i) => {
    const template = exampleRequestEvent();
    const ts = end - spanMs + Math.floor((i * spanMs) / count);
    return {
      ...template,
      '@timestamp': new Date(ts).toISOString(),
      event: { ...template.event, id: createRequestEventId(ts), outcome: i < failing ? 'failure' : 'success' },
      http: { ...template.http, response: { ...template.http.response, status_code: i < failing ? 503 : 200 } },
      service: { ...template.service, target: { name: service } },
      lookout: { ...template.lookout, probe: false, termination: 'ok' },
    };
  });
}
