import type { IncomingMessage } from 'node:http';

const ARRIVAL = Symbol('arrival');
type Stamped = IncomingMessage & { [ARRIVAL]?: number };

/** Stamps the request with performance.now() as the server hands it over, before any routing. */
export function markArrival(req: IncomingMessage): void {
  (req as Stamped)[ARRIVAL] = performance.now();
}

/** When the request arrived (performance.now() clock); now when it was never stamped. */
export function arrivalOf(req: IncomingMessage): number {
  return (req as Stamped)[ARRIVAL] ?? performance.now();
}
