import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../src/notify/standard-webhooks.ts';

/** One request the receiver got, and what it answered. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly id: string;
  readonly body: string;
  /** The Standard Webhooks signature verified under the receiver's secret(s). */
  readonly verified: boolean;
  /** `performance.now()` when the request arrived. */
  readonly receivedAt: number;
  /** The status answered (0 when the receiver hung up or never answered). */
  answered: number;
  /** `performance.now()` when the answer was sent. */
  answeredAt: number;
}

/** What to answer: status, headers, body, after an optional delay (`hang` never answers). */
export interface ReceiverAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly delayMs?: number;
  readonly hang?: boolean;
}

/** Decides the answer from the request and how many requests with this `webhook-id` came before (0 for the first). */
export type ReceiverBehaviour = (request: ReceivedRequest, previousWithSameId: number) => ReceiverAnswer;

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests by `webhook-id`. */
  byId(): Map<string, ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 (ephemeral port) that verifies Standard Webhooks signatures. */
export async function startWebhookReceiver(options: { readonly secrets?: string | readonly string[]; readonly behave?: ReceiverBehaviour } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  const behave: ReceiverBehaviour = options.behave ?? (() => ({ status: 204 }));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const verified = options.secrets === undefined ? false : verifyWebhook(options.secrets, req.headers, body).ok;
      const request: ReceivedRequest = { path: req.url ?? '', headers: req.headers, id, body, verified, receivedAt: performance.now(), answered: 0, answeredAt: 0 };
      requests.push(request);
      const previous = counts.get(id) ?? 0;
      counts.set(id, previous + 1);
      const answer = behave(request, previous);
      if (answer.hang) return;
      const send = (): void => {
        request.answered = answer.status;
        request.answeredAt = performance.now();
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/slo`,
    requests,
    byId() {
      const map = new Map<string, ReceivedRequest[]>();
      for (const request of requests) map.set(request.id, [...(map.get(request.id) ?? []), request]);
      return map;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
