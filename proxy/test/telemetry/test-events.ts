import { randomBytes } from 'node:crypto';
import { exampleRequestEvent, type RequestEvent } from '@lookout/telemetry';

/** Events with ids `<run>-...-<n as 12 hex digits>`: unique per run, sortable, valid UUIDv7. */
export function eventFactory(): { event(n: number): RequestEvent; id(n: number): string } {
  return eventFactoryWithRun(randomBytes(4).toString('hex'));
}

/** {@link eventFactory} with a given run prefix (8 hex digits), for a child process. */
export function eventFactoryWithRun(run: string): { event(n: number): RequestEvent; id(n: number): string } {
  const id = (n: number): string => `${run}-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
  return {
    id,
    event(n) {
      const event = exampleRequestEvent();
      event.event.id = id(n);
      const now = new Date().toISOString();
      event['@timestamp'] = now;
      event.event.start = now;
      event.event.end = now;
      return event;
    },
  };
}

/** A unique index (write alias) name per test. */
export function testIndex(): string {
  return `lookout-test-${randomBytes(4).toString('hex')}`;
}
