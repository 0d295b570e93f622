import { bootstrapIndexBody, type RequestEventMappings } from '../../../telemetry/src/index.ts';
import { esFailure, type ElasticsearchClient } from './elasticsearch-client.ts';
import { SetupError } from './setup-error.ts';

/** Whether a step found its target or made it. */
export type EnsureOutcome = 'created' | 'exists';

type AliasListing = Record<string, { aliases?: Record<string, { is_write_index?: boolean }> }>;

/**
 * Makes `alias` a write alias over rolled indices, creating `firstIndex` with it when the
 * alias is missing. Fails with `LOOKOUT_SETUP_INDEX_CONFLICT` when a concrete index or data
 * stream already holds the alias's name (typically auto-created by a write before the setup
 * ran: its mappings are dynamic, not the contract's), or when the alias has no write index.
 */
export async function ensureWriteAlias(es: ElasticsearchClient, alias: string, firstIndex: string): Promise<EnsureOutcome> {
  const listing = await es.json<AliasListing>({ method: 'GET', path: `/_alias/${encodeURIComponent(alias)}` }, 'LOOKOUT_SETUP_ES_REJECTED', [404]);
  if (listing !== undefined) {
    const members = Object.entries(listing).map(([index, entry]) => ({ index, writeIndex: entry.aliases?.[alias]?.is_write_index }));
    if (members.length === 1 || members.some((member) => member.writeIndex === true)) return 'exists';
    throw new SetupError(
      'LOOKOUT_SETUP_INDEX_CONFLICT',
      `alias ${alias} points to ${members.map((member) => member.index).join(', ')} without a write index; mark one with is_write_index: true`,
    );
  }
  await refuseConcreteName(es, alias, `the write alias ${alias}`);
  const request = { method: 'PUT', path: `/${encodeURIComponent(firstIndex)}`, body: bootstrapIndexBody(alias) } as const;
  const response = await es.send(request);
  if (response.status >= 200 && response.status < 300) return 'created';
  // Another setup run (or a proxy bootstrapping its alias) made it a moment ago.
  if (response.status === 400 && response.text.includes('resource_already_exists_exception')) return 'exists';
  throw esFailure(request, response, 'LOOKOUT_SETUP_ES_REJECTED');
}

/**
 * Creates the data stream `name` (its template must exist), so that it is visible before the
 * first event arrives.
 */
export async function ensureDataStream(es: ElasticsearchClient, name: string): Promise<EnsureOutcome> {
  const path = `/_data_stream/${encodeURIComponent(name)}`;
  const existing = await es.json({ method: 'GET', path }, 'LOOKOUT_SETUP_ES_REJECTED', [404]);
  if (existing !== undefined) return 'exists';
  await refuseConcreteName(es, name, `the data stream ${name}`);
  const request = { method: 'PUT', path } as const;
  const response = await es.send(request);
  if (response.status >= 200 && response.status < 300) return 'created';
  if (response.status === 400 && response.text.includes('resource_already_exists_exception')) return 'exists';
  throw esFailure(request, response, 'LOOKOUT_SETUP_ES_REJECTED');
}

/** Creates the concrete index `name` (its template supplies settings and mappings) unless it exists. */
export async function ensureIndex(es: ElasticsearchClient, name: string): Promise<EnsureOutcome> {
  const path = `/${encodeURIComponent(name)}`;
  const request = { method: 'PUT', path } as const;
  const response = await es.send(request);
  if (response.status >= 200 && response.status < 300) return 'created';
  if (response.status === 400 && response.text.includes('resource_already_exists_exception')) return 'exists';
  throw esFailure(request, response, 'LOOKOUT_SETUP_ES_REJECTED');
}

/**
 * Applies the template's (additive) mappings to the current write index of `target`, so that
 * writers of a new schema version are accepted before the next rollover.
 */
export async function updateWriteIndexMappings(es: ElasticsearchClient, target: string, mappings: RequestEventMappings): Promise<void> {
  const { dynamic, properties } = mappings;
  await es.json({ method: 'PUT', path: `/${encodeURIComponent(target)}/_mapping?write_index_only=true`, body: { dynamic, properties } }, 'LOOKOUT_SETUP_INDEX_CONFLICT');
}

async function refuseConcreteName(es: ElasticsearchClient, name: string, wanted: string): Promise<void> {
  const existing = await es.json<Record<string, unknown>>(
    { method: 'GET', path: `/${encodeURIComponent(name)}?filter_path=*.settings.index.uuid` },
    'LOOKOUT_SETUP_ES_REJECTED',
    [404],
  );
  if (existing === undefined) return;
  throw new SetupError(
    'LOOKOUT_SETUP_INDEX_CONFLICT',
    `${name} already exists as ${Object.keys(existing).join(', ')} (created by a write before the setup ran, so its mappings are not the contract's); ` +
      `reindex its documents elsewhere and delete it, then run the setup again to create ${wanted}`,
  );
}

/**
 * Fails with `LOOKOUT_SETUP_INDEX_CONFLICT` when `index` exists without the top-level fields of
 * `mappings` (another writer created it with its own mappings).
 */
export async function checkIndexMappings(es: ElasticsearchClient, index: string, mappings: RequestEventMappings): Promise<void> {
  const listing = await es.json<Record<string, { mappings?: { properties?: Record<string, unknown> } }>>({
    method: 'GET',
    path: `/${encodeURIComponent(index)}/_mapping`,
  });
  for (const [name, entry] of Object.entries(listing ?? {})) {
    const present = new Set(Object.keys(entry.mappings?.properties ?? {}));
    const missing = Object.keys(mappings.properties).filter((field) => !present.has(field));
    if (missing.length > 0) {
      throw new SetupError(
        'LOOKOUT_SETUP_INDEX_CONFLICT',
        `${name} exists with other mappings (no ${missing.join(', ')}): another writer created it; move its documents and delete it, or choose another --prefix`,
      );
    }
  }
}
