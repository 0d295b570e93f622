import type { Credentials } from './credentials.ts';
import { ElasticsearchClient } from './elasticsearch-client.ts';

/** The built-in user Kibana connects to Elasticsearch as. */
export const KIBANA_SYSTEM_USER = 'kibana_system';

/**
 * Sets the password of the built-in `kibana_system` user (as the Elastic superuser behind
 * `es`), unless that password already authenticates: then nothing changes.
 */
export async function setKibanaSystemPassword(es: ElasticsearchClient, password: string): Promise<'unchanged' | 'updated'> {
  const asKibana = new ElasticsearchClient({
    ...es.endpoint,
    credentials: { kind: 'basic', username: KIBANA_SYSTEM_USER, password } satisfies Credentials,
  });
  const current = await asKibana.send({ method: 'GET', path: '/_security/_authenticate' });
  if (current.status === 200) return 'unchanged';
  await es.json({ method: 'POST', path: `/_security/user/${KIBANA_SYSTEM_USER}/_password`, body: { password } });
  return 'updated';
}
