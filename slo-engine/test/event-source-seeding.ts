import type { Client } from '@elastic/elasticsearch';
import { bootstrapIndexBody, portableTemplate, type RequestEvent } from '@lookout/telemetry';
import { EmbeddedSink } from '../../proxy/src/telemetry/embedded-sink.ts';
import { createTelemetryCounters } from '../../proxy/src/telemetry/telemetry-counters.ts';

type SinkLogger = ConstructorParameters<typeof EmbeddedSink>[0]['log'];
const SILENT = { info() {}, warn() {}, error() {}, debug() {} } as unknown as SinkLogger;

/** The proxy's own embedded sink on `path`, fed as the proxy's batcher does (128-event transactions). */
export class ProxyEmbeddedWriter {
  readonly #sink: EmbeddedSink;

  constructor(path: string) {
    this.#sink = new EmbeddedSink({ config: { path, retention: 0 }, counters: createTelemetryCounters(), log: SILENT });
  }

  append(events: readonly RequestEvent[]): void {
    events.forEach((event, i) => {
      this.#sink.add(event);
      if (i % 128 === 127) this.#sink.endChunk();
    });
    this.#sink.endChunk();
  }

  close(): Promise<void> {
    return this.#sink.close();
  }
}

/** Writes `events` into `path` with the proxy's sink and closes it. */
export async function writeWithProxySink(path: string, events: readonly RequestEvent[]): Promise<void> {
  const writer = new ProxyEmbeddedWriter(path);
  writer.append(events);
  await writer.close();
}

/** The proxy's portable layout under the alias `name`: the template for `<name>-*` and the first index behind the alias. */
export async function createEventIndex(client: Client, name: string): Promise<void> {
  await client.indices.putIndexTemplate({ name, ...portableTemplate({ indexPattern: `${name}-*` }) });
  await client.indices.create({ index: `${name}-000001`, ...bootstrapIndexBody(name) });
}

/** Bulk `create` with `_id = event.id`, as the proxy's sink sends, refreshed. Throws on any refused item. */
export async function bulkEvents(client: Client, index: string, events: readonly RequestEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5_000) {
    const chunk = events.slice(i, i + 5_000);
    const response = await client.bulk({ refresh: true, operations: chunk.flatMap((event) => [{ create: { _index: index, _id: event.event.id } }, event]) });
    if (response.errors) throw new Error(`bulk refused: ${JSON.stringify(response.items.find((item) => item.create?.error))}`);
  }
}

/** Removes what {@link createEventIndex} made. */
export async function removeEventIndex(client: Client, name: string): Promise<void> {
  await client.indices.delete({ index: `${name}-*`, ignore_unavailable: true }).catch(() => undefined);
  await client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
}
