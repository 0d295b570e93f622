// Child process for the SIGKILL test: emits events at a steady rate into an Elasticsearch
// pipeline whose node refuses connections (so everything goes to the spool), and after every
// tick writes how many it emitted to a file (synchronously, so a SIGKILL leaves a true count).
import { openSync, writeSync } from 'node:fs';
import { Logger } from '../../src/log.ts';
import { createTelemetryPipeline } from '../../src/telemetry/create-telemetry-pipeline.ts';
import { telemetryConfigSchema } from '../../src/telemetry/telemetry-config.ts';
import { eventFactoryWithRun } from './test-events.ts';

const [node, index, spoolDir, countFile, run, rate, flushInterval, fsyncInterval] = process.argv.slice(2) as [string, string, string, string, string, string, string, string];
const pipeline = createTelemetryPipeline(
  telemetryConfigSchema.parse({
    sink: 'elasticsearch',
    elasticsearch: { node, index, batchSize: 1000, flushInterval: Number(flushInterval), backoff: { min: '100ms', max: '500ms' }, connectTimeout: '1s' },
    spool: { directory: spoolDir, fsyncInterval: Number(fsyncInterval) },
  }),
  new Logger({ child: 'emitter' }, 'warn'),
  {},
);
await pipeline.start();
const events = eventFactoryWithRun(run);
const fd = openSync(countFile, 'w');
const perTick = Math.max(1, Math.round(Number(rate) / 100));
let emitted = 0;
setInterval(() => {
  for (let i = 0; i < perTick; i++) pipeline.emit(events.event(emitted++));
  const text = String(emitted).padStart(12, ' ');
  writeSync(fd, text, 0);
}, 10);
process.stdout.write('emitting\n');
