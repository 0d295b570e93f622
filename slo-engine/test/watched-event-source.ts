import type { EventSource, TimeRange } from '../src/events/event-source.ts';
import type { SloFilter } from '../src/model/slo.ts';

/** `source` with each `countPerMinute` call shown to `onPerMinute` first, which may throw to fail the call. */
export function watchedEventSource(source: EventSource, onPerMinute: (filter: SloFilter, range: TimeRange) => void): EventSource {
  return {
    kind: source.kind,
    location: source.location,
    countGoodTotal: (filter, indicator, range) => source.countGoodTotal(filter, indicator, range),
    countGoodTotalRanges: (filter, indicator, ranges) => source.countGoodTotalRanges(filter, indicator, ranges),
    countPerMinute: async (filter, indicator, range) => {
      onPerMinute(filter, range);
      return source.countPerMinute(filter, indicator, range);
    },
    thresholdSli: (filter, indicator, range) => source.thresholdSli(filter, indicator, range),
    targets: (range) => source.targets(range),
    close: () => source.close(),
  };
}
