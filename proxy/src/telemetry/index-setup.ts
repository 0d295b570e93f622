import { bootstrapIndexBody, ilmPolicyBody, portableTemplate, productionTemplate, REQUEST_EVENT_SCHEMA_VERSION } from '@lookout/telemetry';
import type { ElasticsearchConnection, EsResponse } from './elasticsearch-connection.ts';
import { describeEsErrorBody } from './elasticsearch-error.ts';
import { TelemetryError, type TelemetryErrorCode } from './telemetry-errors.ts';

export interface IndexSetupOptions {
  /** The write target: alias (portable) or data stream (production). */
  readonly target: string;
  readonly variant: 'portable' | 'production';
  /** Production only: install the ILM policy named after the target and reference it. */
  readonly ilm: boolean;
}

/** What {@link setUpIndex} did, for the start-up log line. */
export interface IndexSetupResult {
  readonly template: 'installed' | 'kept';
  readonly firstIndex?: 'created' | 'exists';
}

/**
 * Makes the cluster ready for writes: installs the index template (named after the target)
 * unless one of the same or a newer schema version is there, and for the portable variant
 * creates the first index `<target>-000001` with the write alias when the alias is missing.
 * The production variant's data stream is created by the first write.
 *
 * Throws {@link TelemetryError} naming what Elasticsearch said (`LOOKOUT_ES_TEMPLATE_REJECTED`,
 * `LOOKOUT_ES_ILM_UNAVAILABLE`, `LOOKOUT_ES_INDEX_REJECTED`, `LOOKOUT_ES_UNAUTHORIZED`); network
 * failures reject with the connection's error.
 */
export async function setUpIndex(es: ElasticsearchConnection, options: IndexSetupOptions): Promise<IndexSetupResult> {
  const { target, variant } = options;
  const name = encodeURIComponent(target);
  const existing = await es.request('GET', `/_index_template/${name}`);
  check(existing, 'LOOKOUT_ES_TEMPLATE_REJECTED', [404]);
  let template: IndexSetupResult['template'] = 'kept';
  if (existing.status === 404 || installedVersion(existing.text) < REQUEST_EVENT_SCHEMA_VERSION) {
    if (variant === 'production' && options.ilm) {
      const policy = await es.request('PUT', `/_ilm/policy/${name}`, JSON.stringify(ilmPolicyBody()));
      check(policy, 'LOOKOUT_ES_ILM_UNAVAILABLE');
    }
    const body =
      variant === 'portable'
        ? portableTemplate({ indexPattern: `${target}-*` })
        : productionTemplate({ indexPattern: `${target}*`, ilmPolicy: options.ilm ? target : null });
    check(await es.request('PUT', `/_index_template/${name}`, JSON.stringify(body)), 'LOOKOUT_ES_TEMPLATE_REJECTED');
    template = 'installed';
  }
  if (variant === 'production') return { template };

  // GET, not HEAD: a HEAD through undici's Pool was measured to add ~12 MiB RSS.
  const alias = await es.request('GET', `/_alias/${name}`);
  check(alias, 'LOOKOUT_ES_INDEX_REJECTED', [404]);
  if (alias.status === 200) return { template, firstIndex: 'exists' };
  const created = await es.request('PUT', `/${encodeURIComponent(`${target}-000001`)}`, JSON.stringify(bootstrapIndexBody(target)));
  // Another proxy may have created it a moment ago.
  if (created.status === 400 && created.text.includes('resource_already_exists_exception')) return { template, firstIndex: 'exists' };
  check(created, 'LOOKOUT_ES_INDEX_REJECTED');
  return { template, firstIndex: 'created' };
}

function check(response: EsResponse, code: TelemetryErrorCode, alsoFine: readonly number[] = []): void {
  if ((response.status >= 200 && response.status < 300) || alsoFine.includes(response.status)) return;
  const detail = describeEsErrorBody(response.status, response.text);
  if (response.status === 401 || response.status === 403) throw new TelemetryError('LOOKOUT_ES_UNAUTHORIZED', detail);
  throw new TelemetryError(code, detail);
}

function installedVersion(text: string): number {
  try {
    const body = JSON.parse(text) as { index_templates?: { index_template?: { version?: number } }[] };
    return body.index_templates?.[0]?.index_template?.version ?? 0;
  } catch {
    return 0;
  }
}
