import type { RequestEvent } from '@lookout/telemetry';
import { seededEvents, seededRandom } from './event-source-fixture.ts';

const MEMBERS = ['http://127.0.0.1:9001', 'http://127.0.0.1:9002', 'http://10.0.0.3:8080'] as const;

/**
 * The event-source suite's seeded events (every status and termination, probes, paths sharing
 * prefixes, durations across magnitudes, timestamps on minute edges) with what the traffic
 * charts read varied too: upstream member (absent on some), body sizes, timing phases (some
 * absent, as when no connection was made).
 */
export function seededTrafficEvents(seed: number, options: { count: number; from: number; minutes: number }): RequestEvent[] {
  const random = seededRandom(seed ^ 0x5eed);
  return seededEvents(seed, options).events.map((event) => {
    event.http.request.body.bytes = Math.floor(random() * 4_096);
    event.http.response.body.bytes = Math.floor(random() * 65_536);
    const timing = event.lookout.timing;
    timing.queue_wait_ms = Math.round(random() * 5_000) / 1_000;
    timing.upstream_first_byte_ms = Math.round(random() * 200_000) / 1_000;
    timing.client_last_byte_ms = timing.upstream_first_byte_ms + 1;
    if (random() < 0.2) {
      delete timing.connect_ms;
      delete event.lookout.upstream;
    } else {
      timing.connect_ms = Math.round(random() * 3_000) / 1_000;
      event.lookout.upstream = { ...event.lookout.upstream!, member: MEMBERS[Math.floor(random() * MEMBERS.length)]! };
    }
    return event;
  });
}
