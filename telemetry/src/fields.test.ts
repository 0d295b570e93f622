import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REQUEST_EVENT_FIELDS, REQUEST_EVENT_FIELD_PATHS, type FieldSpec } from './fields.ts';
import { requestEventSchema } from './request-event.ts';

/** Dotted paths of every leaf of a zod schema: objects are walked, optionals unwrapped. */
function leafPaths(schema: z.ZodType, prefix = ''): string[] {
  if (schema instanceof z.ZodOptional) return leafPaths(schema.unwrap() as z.ZodType, prefix);
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, child]) => leafPaths(child as z.ZodType, prefix + key + '.'));
  }
  return [prefix.slice(0, -1)];
}

const fields: [string, FieldSpec][] = Object.entries(REQUEST_EVENT_FIELDS);

describe('field list', () => {
  it('has every leaf of the schema and nothing else', () => {
    const schemaPaths = leafPaths(requestEventSchema);
    expect(schemaPaths.length).toBeGreaterThan(40);
    expect([...REQUEST_EVENT_FIELD_PATHS].sort()).toEqual([...schemaPaths].sort());
  });

  it('marks exactly the lookout.* fields as not ECS', () => {
    for (const [path, spec] of fields) expect(spec.ecs, path).toBe(!path.startsWith('lookout.'));
  });

  it('describes every field in one line', () => {
    for (const [path, spec] of fields) expect(spec.description, path).toMatch(/^\S[^\n]*\.$/);
  });

  it('gives every numeric milestone a unit and names ms fields after it', () => {
    for (const [path, spec] of fields) {
      if (path.endsWith('_ms')) expect(spec, path).toMatchObject({ type: 'double', unit: 'ms' });
      if (path.endsWith('.bytes')) expect(spec, path).toMatchObject({ type: 'long', unit: 'bytes' });
    }
    expect(REQUEST_EVENT_FIELDS['event.duration']).toMatchObject({ type: 'long', unit: 'ns' });
  });

  it('gives constant_keyword fields their value', () => {
    for (const [path, spec] of fields) if (spec.type === 'constant_keyword') expect(spec.value, path).toBeTypeOf('string');
  });
});
