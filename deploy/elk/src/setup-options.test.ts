import { describe, expect, it } from 'vitest';
import { SetupError } from './setup-error.ts';
import { parseSetupOptions } from './setup-options.ts';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseSetupOptions(argv, env, '/work');

function failure(argv: string[], env: NodeJS.ProcessEnv = {}): SetupError {
  try {
    parse(argv, env);
  } catch (error) {
    if (error instanceof SetupError) return error;
    throw error;
  }
  throw new Error('expected a SetupError');
}

describe('parseSetupOptions', () => {
  it('defaults to everything against a local Elasticsearch, without Kibana, auto variant', () => {
    const options = parse([]);
    expect(options).toMatchObject({
      command: 'all',
      elasticsearch: { url: 'http://127.0.0.1:9200/', credentials: { kind: 'none' }, timeoutMs: 30_000 },
      prefix: 'lookout',
      variant: 'auto',
      waitMs: 60_000,
    });
    expect(options).not.toHaveProperty('kibana');
    expect(options).not.toHaveProperty('replicas');
    expect(options !== 'help' && options.savedObjectsPath.endsWith('/dashboards/generated/kibana.ndjson')).toBe(true);
  });

  it('reads URLs and credentials from the environment; flags win; Kibana falls back to the Elasticsearch credentials', () => {
    const options = parse(['indices', '--es-url', 'https://es.example.com:9200', '--saved-objects', 'objects.ndjson'], {
      ELASTICSEARCH_URL: 'http://ignored:9200',
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'pw',
      KIBANA_URL: 'http://kibana:5601',
      LOOKOUT_INDEX_REPLICAS: '1',
      LOOKOUT_SETUP_WAIT: '5',
    });
    expect(options).toMatchObject({
      command: 'indices',
      elasticsearch: { url: 'https://es.example.com:9200/', credentials: { kind: 'basic', username: 'elastic', password: 'pw' } },
      kibana: { url: 'http://kibana:5601/', credentials: { kind: 'basic', username: 'elastic', password: 'pw' } },
      savedObjectsPath: '/work/objects.ndjson',
      replicas: 1,
      waitMs: 5_000,
    });
  });

  it('refuses credentials in URLs, half-given credentials and both kinds at once', () => {
    expect(failure(['--es-url', 'http://elastic:pw@es:9200']).message).toContain('put credentials in the environment variables, not in the URL');
    expect(failure([], { ELASTICSEARCH_USERNAME: 'elastic' }).message).toContain('ELASTICSEARCH_USERNAME is set but ELASTICSEARCH_PASSWORD is missing');
    expect(failure([], { ELASTICSEARCH_API_KEY: 'k', ELASTICSEARCH_USERNAME: 'u', ELASTICSEARCH_PASSWORD: 'p' }).message).toContain('not both');
  });

  it('names the flag at fault', () => {
    expect(failure(['--prefix', 'Lookout']).message).toContain('--prefix / LOOKOUT_INDEX_PREFIX "Lookout"');
    expect(failure(['--wait', 'soon']).message).toContain('--wait / LOOKOUT_SETUP_WAIT "soon": expected a whole number >= 0');
    expect(failure(['--es-password', 'x']).code).toBe('LOOKOUT_SETUP_BAD_OPTION');
    expect(failure(['upgrade']).message).toContain('unknown command "upgrade"');
    expect(failure(['kibana']).message).toContain('the kibana command needs --kibana-url or KIBANA_URL');
  });

  it('needs the superuser and a password for kibana-system-password', () => {
    expect(failure(['kibana-system-password'], { ELASTICSEARCH_USERNAME: 'elastic', ELASTICSEARCH_PASSWORD: 'pw' }).message).toContain('needs KIBANA_SYSTEM_PASSWORD');
    expect(failure(['kibana-system-password'], { KIBANA_SYSTEM_PASSWORD: 'long-enough' }).message).toContain('needs the elastic superuser');
    expect(parse(['kibana-system-password'], { ELASTICSEARCH_USERNAME: 'elastic', ELASTICSEARCH_PASSWORD: 'pw', KIBANA_SYSTEM_PASSWORD: 'long-enough' })).toMatchObject({
      command: 'kibana-system-password',
      kibanaSystemPassword: 'long-enough',
    });
  });
});
