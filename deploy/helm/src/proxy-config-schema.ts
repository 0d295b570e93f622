import { byteSize, duration } from '../../../proxy/src/config/duration.ts';
import { proxyConfigSchema } from '../../../proxy/src/config/schema.ts';

type JsonSchema = Record<string, unknown>;

/** The part of a zod schema node the override reads (zod itself resolves only from the proxy's package). */
interface ZodNode {
  readonly _zod: { readonly def: { readonly type: string } };
}

/** JSON-schema form of the proxy's duration values (proxy/src/config/duration.ts). */
const DURATION_SCHEMA = {
  anyOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?(ms|s|m|h)\\s*$' },
  ],
  description: 'a duration such as "250ms", "5s", "2m" or a number of milliseconds',
};

/** JSON-schema form of the proxy's size values. */
const BYTE_SIZE_SCHEMA = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([bB]|[kKmMgG][iI]?[bB])\\s*$' },
  ],
  description: 'a size such as "16KiB" or "50MiB" or a number of bytes',
};

/** zod string formats that JSON Schema does not define (their `pattern` says the same). */
const ZOD_ONLY_FORMATS = new Set(['starts_with', 'ends_with', 'includes', 'regex']);

/**
 * The proxy config file's JSON Schema (draft 7), generated from the proxy's zod schema
 * (proxy/src/config/schema.ts), for the chart's values.schema.json. What zod checks in code
 * and JSON Schema cannot say (URL shapes, duplicate names and routes) is left to the proxy,
 * which validates the file again on start and on reload. `listen` is the chart's: not accepted.
 */
export function proxyConfigJsonSchema(): JsonSchema {
  const schema = proxyConfigSchema.toJSONSchema({
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const target = jsonSchema as JsonSchema;
      if (zodSchema === duration) replaceWith(target, DURATION_SCHEMA);
      else if (zodSchema === byteSize) replaceWith(target, BYTE_SIZE_SCHEMA);
      if (typeof target.format === 'string' && ZOD_ONLY_FORMATS.has(target.format)) delete target.format;
      allowStringShorthand(zodSchema, target);
    },
  }) as JsonSchema;
  delete schema.$schema;
  const properties = schema.properties as Record<string, unknown>;
  delete properties.listen;
  return schema;
}

function replaceWith(target: JsonSchema, replacement: JsonSchema): void {
  const keep = 'default' in target ? { default: target.default } : {};
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, replacement, keep);
}

/**
 * `balancer: round-robin` is accepted by the proxy (z.preprocess turns a string into
 * `{ type }`); the generated schema only knows the object form, so add the string form.
 */
function allowStringShorthand(zodSchema: ZodNode, target: JsonSchema): void {
  const def = zodSchema._zod.def as { type: string; in?: ZodNode };
  if (def.type !== 'pipe' || def.in?._zod.def.type !== 'transform') return;
  const variants = (target.oneOf ?? target.anyOf) as JsonSchema[] | undefined;
  if (!variants) return;
  const names = variants.map((variant) => ((variant.properties as Record<string, JsonSchema> | undefined)?.type?.const)).filter((name) => typeof name === 'string');
  if (names.length === 0) return;
  const objectForms = { ...target };
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, { anyOf: [{ type: 'string', enum: names }, objectForms] });
}
