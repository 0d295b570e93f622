import { createRequire } from 'node:module';

/*
 * YAML parsing for assertions on rendered manifests. The yaml package is resolved through
 * config-file, which depends on it (deploy/ is not a workspace package with dependencies).
 */
const yaml = createRequire(new URL('../../../config-file/package.json', import.meta.url))('yaml') as {
  parseAllDocuments(text: string): { toJS(): unknown; errors: unknown[] }[];
  parse(text: string): unknown;
};

/** One rendered Kubernetes object (loosely typed: tests reach into it). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; [key: string]: any };

/** The objects of `helm template` output, empty documents dropped. */
export function parseManifests(text: string): Manifest[] {
  return yaml
    .parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${String(document.errors[0])}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** The object of `kind` whose name ends with `suffix`. */
export function findManifest(manifests: readonly Manifest[], kind: string, suffix: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name.endsWith(suffix));
  if (!found) throw new Error(`no ${kind} *${suffix} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

export const parseYaml = (text: string): unknown => yaml.parse(text);
