import { CONTENT_HASH_KEY, withContentHash } from './content-hash.ts';
import type { ElasticsearchClient } from './elasticsearch-client.ts';

/** What a step did; `unchanged` everywhere on a second run is what idempotent means here. */
export type ChangeOutcome = 'created' | 'updated' | 'unchanged';

interface TemplateListing {
  readonly index_templates?: { index_template?: { _meta?: Record<string, unknown> } }[];
}

type PolicyListing = Record<string, { policy?: { _meta?: Record<string, unknown> } }>;

/**
 * Installs a composable index template unless the installed one carries the same content hash
 * in `_meta` (so a second run changes nothing, and any change of the body is applied).
 */
export async function putIndexTemplateIfChanged(es: ElasticsearchClient, name: string, body: { readonly _meta?: object }): Promise<ChangeOutcome> {
  const path = `/_index_template/${encodeURIComponent(name)}`;
  const desired = withContentHash(body);
  const installed = await es.json<TemplateListing>({ method: 'GET', path }, 'LOOKOUT_SETUP_ES_REJECTED', [404]);
  const installedHash = installed?.index_templates?.[0]?.index_template?._meta?.[CONTENT_HASH_KEY];
  if (installedHash === desired._meta[CONTENT_HASH_KEY]) return 'unchanged';
  await es.json({ method: 'PUT', path, body: desired });
  return installed === undefined ? 'created' : 'updated';
}

/** Installs an ILM policy unless the installed one carries the same content hash in `policy._meta`. */
export async function putIlmPolicyIfChanged(es: ElasticsearchClient, name: string, body: { readonly policy: { readonly _meta?: object } }): Promise<ChangeOutcome> {
  const path = `/_ilm/policy/${encodeURIComponent(name)}`;
  const desired = { policy: withContentHash(body.policy) };
  const installed = await es.json<PolicyListing>({ method: 'GET', path }, 'LOOKOUT_SETUP_ES_REJECTED', [404]);
  const installedHash = installed?.[name]?.policy?._meta?.[CONTENT_HASH_KEY];
  if (installedHash === desired.policy._meta[CONTENT_HASH_KEY]) return 'unchanged';
  await es.json({ method: 'PUT', path, body: desired });
  return installed === undefined ? 'created' : 'updated';
}
