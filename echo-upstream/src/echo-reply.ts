import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { CapturedBody } from './request-body.ts';

/** The JSON body of an echo reply. */
export interface EchoReply {
  /** Name of the echo upstream instance that answered. */
  instance: string;
  method: string;
  /** Request target before `?`, as received (not decoded). */
  path: string;
  /** Decoded query parameters; a name given more than once maps to an array. */
  query: Record<string, string | string[]>;
  /** Request headers as Node parsed them: lower-case names, repeats joined with ", " (set-cookie: array). */
  headers: IncomingHttpHeaders;
  /** UTF-8 body, or null when larger than the echo limit or not valid UTF-8. */
  body: string | null;
  bodyBytes: number;
  bodySha256: string;
  /** When the request arrived, ISO 8601. */
  timestamp: string;
  /** When the request arrived, epoch ms. */
  receivedAt: number;
}

const NO_QUERY: Record<string, string | string[]> = Object.freeze(Object.create(null));

function parseQuery(search: string): Record<string, string | string[]> {
  // Null prototype: a parameter named __proto__ is data, not a prototype change.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(search)) {
    const seen = query[name];
    if (seen === undefined) query[name] = value;
    else if (typeof seen === 'string') query[name] = [seen, value];
    else seen.push(value);
  }
  return query;
}

export function echoReplyJson(instance: string, req: IncomingMessage, body: CapturedBody, receivedAt: number): string {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const reply: EchoReply = {
    instance,
    method: req.method ?? 'GET',
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 || q === target.length - 1 ? NO_QUERY : parseQuery(target.slice(q + 1)),
    headers: req.headers,
    body: body.text,
    bodyBytes: body.bytes,
    bodySha256: body.sha256,
    timestamp: new Date(receivedAt).toISOString(),
    receivedAt,
  };
  return JSON.stringify(reply);
}
