import { readFileSync } from 'node:fs';
import { ConfigFileError } from '@lookout/config-file';
import { ConfigError, parseConfigText } from '@lookout/proxy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { EngineConfigError } from '../src/config/engine-config-error.ts';
import { parseEngineConfigText } from '../src/config/engine-config.ts';
import { parseSloSpecText } from '../src/spec/load-slo-spec.ts';
import { SloSpecError } from '../src/spec/slo-spec-error.ts';

/**
 * Fuzzing of the three config loaders (proxy config, SLO spec, engine config) with fast-check,
 * bounded in time (`LOOKOUT_FUZZ_SECONDS`, default 3 per property). Whatever the text, a loader
 * either returns a value or throws its own coded error whose every problem names the file, the
 * line and the path inside it; nothing else is ever thrown, and a secret never appears in
 * an error message.
 */

const SECONDS = Number(process.env.LOOKOUT_FUZZ_SECONDS ?? 3);
const RUNS = { numRuns: 1_000_000, interruptAfterTimeLimit: SECONDS * 1_000, markInterruptAsFailure: false } as const;
const FILE = 'fuzzed.yaml';
const SECRET = 'S3CRET-sentinel-value';

interface Loader {
  readonly name: string;
  readonly parse: (text: string, file: string) => unknown;
  readonly errorClass: new (...args: never[]) => ConfigFileError<string>;
  readonly codes: readonly string[];
  /** A valid document to mutate. */
  readonly valid: unknown;
  /** Paths where a secret may sit in a valid document (the mutations keep it there). */
  readonly secretPaths: readonly (readonly string[])[];
}

const demo = (name: string): unknown => parse(readFileSync(new URL(`../../demo/${name}`, import.meta.url), 'utf8'));

const proxyValid = demo('proxy.yaml') as Record<string, unknown>;
proxyValid.telemetry = { sink: 'elasticsearch', elasticsearch: { node: 'http://127.0.0.1:9200', username: 'elastic', password: SECRET } };
proxyValid.admin = { port: 0 };

const LOADERS: readonly Loader[] = [
  {
    name: 'proxy config',
    parse: parseConfigText,
    errorClass: ConfigError,
    codes: ['CONFIG_INVALID_YAML', 'CONFIG_INVALID'],
    valid: proxyValid,
    secretPaths: [['telemetry', 'elasticsearch', 'password']],
  },
  {
    name: 'SLO spec',
    parse: parseSloSpecText,
    errorClass: SloSpecError,
    codes: ['SLO_SPEC_INVALID_YAML', 'SLO_SPEC_INVALID'],
    valid: demo('slos.yaml'),
    secretPaths: [],
  },
  {
    name: 'engine config',
    parse: parseEngineConfigText,
    errorClass: EngineConfigError,
    codes: ['SLO_ENGINE_CONFIG_INVALID_YAML', 'SLO_ENGINE_CONFIG_INVALID'],
    valid: {
      ...(demo('slo-engine.yaml') as object),
      webhooks: [{ name: 'oncall', url: 'https://hooks.example.com/slo', secretEnv: 'ONCALL_WEBHOOK_SECRET' }],
      email: { from: 'slo@example.com', smtp: { host: 'smtp.example.com', port: 587, user: 'slo', passwordFile: '/run/secrets/smtp' } },
    },
    secretPaths: [],
  },
];

/** Checks one loader call: a value, or the loader's coded error naming file, line and path. */
function checkLoad(loader: Loader, text: string): void {
  let thrown: unknown;
  try {
    loader.parse(text, FILE);
    return;
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof loader.errorClass)) throw new Error(`${loader.name}: unexpected ${String(thrown)} for ${JSON.stringify(text.slice(0, 300))}`, { cause: thrown });
  const error = thrown as ConfigFileError<string>;
  expect(loader.codes).toContain(error.code);
  expect(error.file).toBe(FILE);
  expect(error.problems.length).toBeGreaterThan(0);
  for (const problem of error.problems) {
    expect(typeof problem.path).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
    // Every problem is located: YAML errors by position, schema problems by their node (or
    // the nearest existing parent); only a document with no content at all has no line.
    if (problem.line === undefined && parseDocument(text).contents === null) {
      expect(error.message).toContain(`${FILE}: ${problem.path || '(root)'}: `);
      continue;
    }
    expect(problem.line, `${loader.name}: no line for ${JSON.stringify(problem)} in ${JSON.stringify(text.slice(0, 300))}`).toBeGreaterThanOrEqual(1);
    expect(error.message).toContain(`${FILE}:${problem.line}: ${problem.path || '(root)'}: `);
  }
  expect(error.message).not.toContain(SECRET);
}

/** YAML-looking text: fragments of YAML syntax, keys the loaders know, and noise. */
const yamlishText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ':', ': ', '- ', '\n', '\n  ', '\n    ', '{', '}', '[', ']', ',', '"', "'", '#', '&a', '*a', '!!str ', '!!binary ', '? ', '|', '>', '---', '...', '~', 'null',
        'true', '0', '-1', '1e309', '0x1f', '.inf', '<<: *a', '%YAML 1.2\n', '\t', '\r\n', '\u0000', '\uFEFF',
        'services', 'hosts', 'upstreams', 'url', 'listen', 'port', 'telemetry', 'sink', 'slos', 'name', 'indicator', 'type', 'objective', 'window', 'hold',
        'threshold', 'availability', 'events', 'state', 'webhooks', 'email', 'smtp', 'http://127.0.0.1:9001', '5m', '30d', 'limits', 'maxHeaderBytes', '16KiB',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

type Mutation = { kind: 'delete' | 'replace' | 'add'; pathSeed: number; value: unknown; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'add'),
  pathSeed: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '0s', '-5m', 'http://', '*.', 'x'.repeat(5000), -1, 1e21, Number.MAX_SAFE_INTEGER, null, [], {})),
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hosts', 'type', 'name'), fc.string({ maxLength: 10 })),
});

/** Every path to a node (object key or array index) of a JSON-like value, the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function applyMutation(document: unknown, m: Mutation, protect: readonly (readonly string[])[]): unknown {
  const copy = structuredClone(document) as Record<string | number, unknown>;
  const all = paths(copy).filter((path) => !protect.some((secret) => secret.length === path.length && secret.every((key, i) => key === path[i])));
  if (all.length === 0) return copy;
  const path = all[m.pathSeed % all.length]!;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.kind === 'replace') {
    parent[last] = m.value;
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    else parent[last] = m.value;
  }
  return copy;
}

describe('config loaders under fuzzing', () => {
  for (const loader of LOADERS) {
    describe(loader.name, () => {
      it('accepts its valid example', () => {
        expect(() => loader.parse(stringify(loader.valid), FILE)).not.toThrow();
      });

      it('answers arbitrary text with a value or a located, coded error', () => {
        fc.assert(
          fc.property(fc.oneof(yamlishText, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => checkLoad(loader, text)),
          RUNS,
        );
      });

      it('answers structured mutations of a valid document with a value or a located, coded error that never shows a secret', () => {
        fc.assert(
          fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (mutations, asJson) => {
            let document = loader.valid;
            for (const m of mutations) document = applyMutation(document, m, loader.secretPaths);
            checkLoad(loader, asJson ? JSON.stringify(document, null, 1) : stringify(document));
          }),
          RUNS,
        );
      });
    });
  }
});
