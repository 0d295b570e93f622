import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatProblems } from './file-problem.ts';
import { parseYamlWithSchema } from './parse-yaml-with-schema.ts';

const schema = z.strictObject({
  name: z.string(),
  items: z.array(z.strictObject({ kind: z.enum(['a', 'b']), size: z.number().int().default(1) })).default([]),
});

describe('YAML validated by a schema', () => {
  it('returns the validated value with defaults applied', () => {
    expect(parseYamlWithSchema('name: x\nitems:\n  - kind: a\n', schema)).toEqual({ ok: true, value: { name: 'x', items: [{ kind: 'a', size: 1 }] } });
  });

  it('names the line, path and expectation of every schema problem', () => {
    const result = parseYamlWithSchema('name: x\nitems:\n  - kind: c\n    size: 1.5\n    extra: true\n', schema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.stage).toBe('schema');
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'items[0].kind', line: 3, message: expect.stringContaining('"a"|"b"') }),
        expect.objectContaining({ path: 'items[0].size', line: 4 }),
        expect.objectContaining({ path: 'items[0]', message: 'unknown key "extra"' }),
      ]),
    );
  });

  it('reports a missing key as missing', () => {
    const result = parseYamlWithSchema('items: []\n', schema);
    expect(!result.ok && result.problems[0]).toMatchObject({ path: 'name', message: expect.stringContaining('(missing)') });
  });

  it('reports YAML syntax errors with their line before any schema check', () => {
    const result = parseYamlWithSchema('name: x\nitems: [\n', schema);
    expect(result).toMatchObject({ ok: false, stage: 'yaml', problems: [{ path: '', message: expect.stringContaining('not valid YAML') }] });
  });

  it('formats problems one per line with file and line', () => {
    expect(formatProblems('invalid config', 'f.yaml', [{ path: 'a.b', line: 3, message: 'expected a number' }, { path: '', message: 'unreadable' }])).toBe(
      'invalid config f.yaml:\n  f.yaml:3: a.b: expected a number\n  f.yaml: (root): unreadable',
    );
  });
});
