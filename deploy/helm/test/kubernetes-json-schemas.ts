import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * kubeconform validates against one JSON Schema per kind, which it normally downloads. These
 * machines reach no such host, so the schemas are generated here from the Kubernetes API's own
 * OpenAPI document (api/openapi-spec/swagger.json of the k8s.io/kubernetes Go module, fetched
 * by scripts/install-go-tools.sh), the way kubeconform's openapi2jsonschema does for its
 * "standalone-strict" flavour: every $ref inlined, `additionalProperties: false` on every
 * object that lists its properties, int-or-string as string or integer. Files are laid out as
 * kubeconform's -schema-location template expects.
 */

type Node = Record<string, unknown>;

interface OpenApiDocument {
  readonly definitions: Record<string, Node>;
}

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** kubeconform's file name of a kind: `deployment-apps-v1`, `service-v1`, `networkpolicy-networking-v1`. */
export function schemaFileName(apiVersion: string, kind: string): string {
  const [groupOrVersion, version] = apiVersion.split('/');
  const suffix = version === undefined ? `-${groupOrVersion!.toLowerCase()}` : `-${groupOrVersion!.split('.')[0]}-${version}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/** The -schema-location template for schemas generated under `root`. */
export function schemaLocation(root: string): string {
  return `${root}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
}

/**
 * Writes the standalone-strict schemas of `kinds` (apiVersion + kind) for `version` under
 * `root`, unless already there. Throws when a kind is not in the document.
 */
export function ensureKindSchemas(openApiPath: string, version: string, root: string, kinds: readonly { apiVersion: string; kind: string }[]): void {
  const directory = join(root, `v${version}-standalone-strict`);
  const missing = kinds.filter(({ apiVersion, kind }) => !existsSync(join(directory, schemaFileName(apiVersion, kind))));
  if (missing.length === 0) return;
  const document = JSON.parse(readFileSync(openApiPath, 'utf8')) as OpenApiDocument;
  const byKind = new Map<string, string>();
  for (const [name, definition] of Object.entries(document.definitions)) {
    for (const gvk of (definition['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined) ?? []) {
      byKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version} ${gvk.kind}`, name);
    }
  }
  mkdirSync(directory, { recursive: true });
  for (const { apiVersion, kind } of missing) {
    const definition = byKind.get(`${apiVersion} ${kind}`);
    if (definition === undefined) throw new Error(`Kubernetes ${version} has no ${apiVersion} ${kind}`);
    const schema = { $schema: 'http://json-schema.org/schema#', ...(standalone(document, document.definitions[definition]!, [definition]) as Node) };
    const file = join(directory, schemaFileName(apiVersion, kind));
    writeFileSync(`${file}.tmp`, JSON.stringify(schema));
    renameSync(`${file}.tmp`, file);
  }
}

function standalone(document: OpenApiDocument, node: unknown, stack: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => standalone(document, item, stack));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Node;
  if (typeof source.$ref === 'string') {
    const name = source.$ref.replace('#/definitions/', '');
    // A recursive type (JSONSchemaProps): anything below the second visit.
    if (stack.includes(name)) return {};
    const { $ref: _ref, ...siblings } = source;
    return { ...(standalone(document, document.definitions[name], [...stack, name]) as Node), ...(standalone(document, siblings, stack) as Node) };
  }
  const out: Node = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Node).map(([name, item]) => [name, standalone(document, item, stack)]));
    } else {
      out[key] = standalone(document, value, stack);
    }
  }
  if (out.format === 'int-or-string') {
    delete out.type;
    delete out.format;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
