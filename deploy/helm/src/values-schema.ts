import { proxyConfigJsonSchema } from './proxy-config-schema.ts';

type JsonSchema = Record<string, unknown>;

const string = { type: 'string' };
const boolean = { type: 'boolean' };
const port = { type: 'integer', minimum: 1, maximum: 65535 };
const positiveInteger = { type: 'integer', minimum: 1 };
const anyObject = { type: 'object' };
const anyArray = { type: 'array' };
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$' }, { type: 'number', minimum: 0 }] };

function object(properties: Record<string, unknown>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, ...(required.length > 0 ? { required } : {}) };
}

const image = object(
  {
    repository: { type: 'string', minLength: 1 },
    tag: { type: 'string', description: 'default: the chart appVersion' },
    pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
  },
  ['repository'],
);

const resources = object({
  requests: object({ cpu: quantity, memory: quantity, 'ephemeral-storage': quantity }),
  limits: object({ cpu: quantity, memory: quantity, 'ephemeral-storage': quantity }),
});

const service = (extra: Record<string, unknown> = {}) =>
  object({ type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] }, port, annotations: anyObject, ...extra });

const podDisruptionBudget = object({
  enabled: boolean,
  minAvailable: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+%$' }] },
});

const envList = { type: 'array', items: { type: 'object', required: ['name'] } };

/**
 * The chart's values.schema.json: every value of values.yaml, strict (a misspelt key fails the
 * render), with `proxy.config` checked against the proxy's own config schema.
 */
export function chartValuesSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'lookout chart values',
    ...object({
      global: anyObject,
      imageRegistry: string,
      imagePullSecrets: anyArray,
      elasticsearch: object(
        {
          url: { type: 'string', pattern: '^https?://', description: 'Elasticsearch the proxy writes to and the slo-engine reads from' },
          username: string,
          password: string,
          existingSecret: { type: 'string', description: 'Secret with the keys username and password' },
        },
        ['url'],
      ),
      kibana: object({ url: { type: 'string', pattern: '^(https?://.*)?$' } }),
      proxy: object(
        {
          enabled: boolean,
          image,
          replicaCount: { type: 'integer', minimum: 2, description: 'two or more: one replica is a single point of failure' },
          port,
          service: service(),
          tls: object({
            secretName: { type: 'string', description: 'a kubernetes.io/tls Secret (tls.crt, tls.key): the proxy terminates TLS with it; empty = plain HTTP' },
            minVersion: { enum: ['TLSv1.2', 'TLSv1.3'] },
            watchInterval: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$', description: 'how often the mounted files are checked for a renewal' },
          }),
          config: { ...proxyConfigJsonSchema(), description: "the proxy's config file without listen (proxy/src/config/schema.ts)" },
          preStopSleepSeconds: { type: 'integer', minimum: 0, maximum: 60 },
          terminationGracePeriodSeconds: positiveInteger,
          resources,
          autoscaling: object({
            enabled: boolean,
            minReplicas: { type: 'integer', minimum: 2 },
            maxReplicas: positiveInteger,
            targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 },
          }),
          podDisruptionBudget,
          podAntiAffinity: { enum: ['soft', 'hard'] },
          topologySpreadConstraints: anyArray,
          nodeSelector: anyObject,
          tolerations: anyArray,
          podAnnotations: anyObject,
          extraEnv: envList,
          extraVolumes: anyArray,
          extraVolumeMounts: anyArray,
        },
        ['config'],
      ),
      sloEngine: object({
        enabled: boolean,
        image,
        replicaCount: positiveInteger,
        port,
        service: service(),
        config: { type: 'object', description: 'engine settings merged into its config file (slo-engine README)' },
        eventsIndex: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
        statePrefix: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
        slos: { type: 'array', minItems: 1, items: { type: 'object', required: ['name', 'indicator'] } },
        notifiers: object({ webhooks: anyArray, email: anyObject }),
        secret: object({ existingSecret: string, values: { type: 'object', additionalProperties: { type: 'string' } } }),
        resources,
        podDisruptionBudget,
        nodeSelector: anyObject,
        tolerations: anyArray,
        podAnnotations: anyObject,
        extraEnv: envList,
        extraVolumes: anyArray,
        extraVolumeMounts: anyArray,
      }),
      echoUpstream: object({
        enabled: boolean,
        image,
        replicaCount: positiveInteger,
        port,
        resources,
        nodeSelector: anyObject,
        tolerations: anyArray,
      }),
      setupJob: object({
        enabled: boolean,
        image,
        variant: { enum: ['auto', 'production', 'portable'] },
        waitSeconds: { type: 'integer', minimum: 0 },
        backoffLimit: { type: 'integer', minimum: 0 },
        resources,
      }),
      serviceAccount: object({ create: boolean, name: string, annotations: anyObject }),
      podSecurityContext: anyObject,
      containerSecurityContext: anyObject,
    }),
  };
}

/** values.schema.json as written to the chart: two-space JSON and a final newline. */
export function chartValuesSchemaText(): string {
  return `${JSON.stringify(chartValuesSchema(), null, 2)}\n`;
}
