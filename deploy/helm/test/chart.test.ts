import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYamlWithSchema } from '../../../config-file/src/index.ts';
import { parseConfigText } from '../../../proxy/src/config/load-config.ts';
import { parseEngineConfigText } from '../../../slo-engine/src/config/engine-config.ts';
import { sloSpecSchema } from '../../../slo-engine/src/spec/slo-spec.ts';
import { chartValuesSchemaText } from '../src/values-schema.ts';
import { deployTool, kubernetesOpenApi, SCHEMA_CACHE } from './deploy-tools.ts';
import { ensureKindSchemas, schemaLocation } from './kubernetes-json-schemas.ts';
import { findManifest, parseManifests, parseYaml, type Manifest } from './rendered-manifests.ts';

const CHART = fileURLToPath(new URL('../lookout', import.meta.url));
const PRODUCTION_VALUES = fileURLToPath(new URL('../examples/production.values.yaml', import.meta.url));
const helm = deployTool('helm');
const kubeconform = deployTool('kubeconform');
const openApi = kubernetesOpenApi();

interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], input?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, [...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const renderChart = (valuesFiles: readonly string[] = [], extra: readonly string[] = []) =>
  run(helm.path, ['template', 'lookout', CHART, '--namespace', 'lookout', ...valuesFiles.flatMap((file) => ['-f', file]), ...extra]);

/** kubeconform -strict over `manifests`, with schemas generated for the kinds they contain. */
async function validate(manifests: string): Promise<ProcessResult> {
  const kinds = parseManifests(manifests).map(({ apiVersion, kind }) => ({ apiVersion, kind }));
  ensureKindSchemas(openApi.path, openApi.version, SCHEMA_CACHE, kinds);
  return run(
    kubeconform.path,
    ['-strict', '-summary', '-kubernetes-version', openApi.version, '-schema-location', schemaLocation(SCHEMA_CACHE), '-'],
    manifests,
  );
}

/** The data files of a rendered ConfigMap. */
const configMapFile = (manifests: readonly Manifest[], suffix: string, file: string): string => findManifest(manifests, 'ConfigMap', suffix).data[file];

it('values.schema.json is what deploy/helm/src/write-values-schema.ts generates from the proxy config schema', async () => {
  const committed = await readFile(join(CHART, 'values.schema.json'), 'utf8');
  expect(committed, 'run: node deploy/helm/src/write-values-schema.ts').toBe(chartValuesSchemaText());
});

describe.skipIf(!helm.path || !kubeconform.path || !openApi.path)('the chart', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lookout-chart-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  describe.each([
    ['default values', [] as string[]],
    ['the production example', [PRODUCTION_VALUES]],
  ])('with %s', (_name, valuesFiles) => {
    it('passes helm lint --strict', async () => {
      const lint = await run(helm.path, ['lint', '--strict', CHART, ...valuesFiles.flatMap((file) => ['-f', file])]);
      expect(lint.stderr + lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(lint.exitCode).toBe(0);
    });

    it('renders manifests that kubeconform -strict accepts, every kind checked against its schema', async () => {
      const rendered = await renderChart(valuesFiles);
      expect(rendered.stderr).toBe('');
      expect(rendered.exitCode).toBe(0);
      const result = await validate(rendered.stdout);
      expect(result.stdout + result.stderr).toMatch(/Summary: \d+ resources? found parsing stdin - Valid: \d+, Invalid: 0, Errors: 0, Skipped: 0/);
      expect(result.exitCode).toBe(0);
    });

    it("renders a proxy.yaml the proxy's own config parser accepts, and an SLO spec the engine accepts", async () => {
      const manifests = parseManifests((await renderChart(valuesFiles)).stdout);
      const config = parseConfigText(configMapFile(manifests, '-proxy', 'proxy.yaml'), 'proxy.yaml');
      expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
      expect(config.services.length).toBeGreaterThan(0);
      expect(config.telemetry.sink).toBe('elasticsearch');
      expect(config.telemetry.spool.directory).toBe('/var/lib/lookout/spool');
      const spec = parseYamlWithSchema(configMapFile(manifests, '-slo-engine', 'slos.yaml'), sloSpecSchema);
      expect(spec.ok ? [] : spec.problems).toEqual([]);
      const engine = parseEngineConfigText(configMapFile(manifests, '-slo-engine', 'slo-engine.yaml'), 'slo-engine.yaml');
      expect(engine).toMatchObject({ listen: { host: '0.0.0.0', port: 8090 }, slos: 'slos.yaml', events: { type: 'elasticsearch' }, state: { type: 'elasticsearch' } });
    });
  });

  it('deploys the proxy for availability: replicas, probes, drain, disruption budget, autoscaling, anti-affinity, non-root', async () => {
    const manifests = parseManifests((await renderChart()).stdout);
    const deployment = findManifest(manifests, 'Deployment', '-proxy');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns the count
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(5 + 25);
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '160Mi' }, limits: { cpu: '1', memory: '256Mi' } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    const hpa = findManifest(manifests, 'HorizontalPodAutoscaler', '-proxy');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: deployment.metadata.name } });
    const budget = findManifest(manifests, 'PodDisruptionBudget', '-proxy');
    expect(budget.spec.minAvailable).toBe(1);
    expect(budget.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);

    const withoutAutoscaling = parseManifests((await renderChart([], ['--set', 'proxy.autoscaling.enabled=false'])).stdout);
    expect(findManifest(withoutAutoscaling, 'Deployment', '-proxy').spec.replicas).toBe(2);
  });

  it('terminates TLS with a kubernetes.io/tls Secret: mounted read-only, named in listen.tls, probes over HTTPS', async () => {
    const rendered = await renderChart([], ['--set', 'proxy.tls.secretName=proxy-tls', '--set', 'proxy.tls.minVersion=TLSv1.3']);
    expect(rendered.exitCode).toBe(0);
    expect((await validate(rendered.stdout)).exitCode).toBe(0);
    const manifests = parseManifests(rendered.stdout);
    const config = parseConfigText(configMapFile(manifests, '-proxy', 'proxy.yaml'), 'proxy.yaml');
    expect(config.listen.tls).toEqual({ certFile: '/etc/lookout-tls/tls.crt', keyFile: '/etc/lookout-tls/tls.key', minVersion: 'TLSv1.3', watchInterval: 60_000 });
    const pod = findManifest(manifests, 'Deployment', '-proxy').spec.template.spec;
    const container = pod.containers[0];
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'proxy-tls' } });
    expect(container.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/lookout-tls', readOnly: true });
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(container[probe].httpGet.scheme).toBe('HTTPS');

    const plain = parseManifests((await renderChart()).stdout);
    expect(parseConfigText(configMapFile(plain, '-proxy', 'proxy.yaml'), 'proxy.yaml').listen.tls).toBeUndefined();
    expect(findManifest(plain, 'Deployment', '-proxy').spec.template.spec.volumes.map((volume: { name: string }) => volume.name)).not.toContain('tls');
  });

  it('rolls the proxy pods when the proxy config changes: the checksum annotation is the config file hash', async () => {
    const before = parseManifests((await renderChart()).stdout);
    const proxyYaml = configMapFile(before, '-proxy', 'proxy.yaml');
    const annotation = findManifest(before, 'Deployment', '-proxy').spec.template.metadata.annotations['checksum/config'];
    expect(annotation).toBe(createHash('sha256').update(proxyYaml.replace(/\n$/, '')).digest('hex'));
    const after = parseManifests((await renderChart([], ['--set', 'proxy.config.drain.timeout=20s'])).stdout);
    expect(findManifest(after, 'Deployment', '-proxy').spec.template.metadata.annotations['checksum/config']).not.toBe(annotation);
  });

  it('gives the slo-engine its SLO ConfigMap and notifier secrets from a Secret, never in the config', async () => {
    const values = join(directory, 'notifier-secret.yaml');
    await writeFile(values, 'sloEngine:\n  secret:\n    values:\n      SMTP_PASSWORD: smtp-s3cret\n');
    const manifests = parseManifests((await renderChart([values])).stdout);
    const secret = findManifest(manifests, 'Secret', '-slo-engine');
    expect(secret.stringData).toEqual({ SMTP_PASSWORD: 'smtp-s3cret' });
    const container = findManifest(manifests, 'Deployment', '-slo-engine').spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(JSON.stringify(findManifest(manifests, 'ConfigMap', '-slo-engine'))).not.toContain('smtp-s3cret');

    const production = parseManifests((await renderChart([PRODUCTION_VALUES])).stdout);
    const engine = findManifest(production, 'Deployment', '-slo-engine').spec.template.spec.containers[0];
    expect(engine.envFrom).toEqual([{ secretRef: { name: 'lookout-slo-engine-notifiers' } }]);
    expect(engine.env).toContainEqual({ name: 'ELASTICSEARCH_PASSWORD', valueFrom: { secretKeyRef: { name: 'lookout-elasticsearch', key: 'password' } } });
    expect(production.some((manifest) => manifest.kind === 'Secret')).toBe(false);
  });

  it('fails at render time, naming the path, when the proxy config breaks the proxy schema', async () => {
    const values = join(directory, 'bad-proxy.yaml');
    await writeFile(
      values,
      [
        'proxy:',
        '  config:',
        '    services:',
        '      - name: shop',
        '        hosts: [shop.example.com]',
        '        balancer: fastest',
        '        upstreams: [{ url: "http://shop:8080" }]',
        '        timeouts: { connect: soon }',
        '        retry: { attempts: 2 }',
        '',
      ].join('\n'),
    );
    const rendered = await renderChart([values]);
    expect(rendered.exitCode).not.toBe(0);
    expect(rendered.stderr).toContain("values don't meet the specifications of the schema(s)");
    expect(rendered.stderr).toContain("at '/proxy/config/services/0/balancer'");
    expect(rendered.stderr).toContain("value must be one of 'round-robin', 'least-request', 'sticky-cookie', 'consistent-hash'");
    expect(rendered.stderr).toContain("at '/proxy/config/services/0/timeouts/connect'");
    expect(rendered.stderr).toMatch(/additional propert(y|ies) 'retry' not allowed/);
    expect(rendered.stdout).toBe('');
  });

  it('has schemas strict enough to refuse a misspelt field (kubeconform is not waving everything through)', async () => {
    const rendered = (await renderChart()).stdout.replace('revisionHistoryLimit: 5', 'revisionHistoryLimt: 5');
    const result = await validate(rendered);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toMatch(/Deployment .* is invalid: .*revisionHistoryLimt/);
  });
});
