import type { Logger } from '../log.ts';
import { ElasticsearchSink } from './elasticsearch-sink.ts';
import { EmbeddedSink } from './embedded-sink.ts';
import { NoneSink } from './none-sink.ts';
import type { TelemetryConfig } from './telemetry-config.ts';
import { createTelemetryCounters } from './telemetry-counters.ts';
import { TelemetryPipeline } from './telemetry-pipeline.ts';
import type { TelemetrySink } from './telemetry-sink.ts';

/**
 * Builds the pipeline and its sink from the validated `telemetry:` config. Call `start()` before
 * serving and `close()` after draining. Throws when the embedded database cannot be opened.
 *
 * @param env where missing Elasticsearch credentials are read from (`LOOKOUT_ES_USERNAME`,
 *   `LOOKOUT_ES_PASSWORD`, `LOOKOUT_ES_API_KEY`)
 */
export function createTelemetryPipeline(config: TelemetryConfig, log: Logger, env: NodeJS.ProcessEnv = process.env): TelemetryPipeline {
  const counters = createTelemetryCounters();
  const sinkLog = log.child({ component: 'telemetry', sink: config.sink });
  let sink: TelemetrySink;
  if (config.sink === 'elasticsearch') sink = new ElasticsearchSink({ config: config.elasticsearch, spool: config.spool, counters, log: sinkLog, env });
  else if (config.sink === 'embedded') sink = new EmbeddedSink({ config: config.embedded, counters, log: sinkLog });
  else sink = new NoneSink(counters);
  return new TelemetryPipeline({
    sink,
    counters,
    queueCapacity: config.queue.capacity,
    whenQueueFull: config.queue.whenFull,
    closeTimeout: config.closeTimeout,
  });
}
