import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseYamlWithSchema } from './parse-yaml-with-schema.ts';

// Inputs found by fuzzing the config loaders (slo-engine/test/config-loaders-fuzz.test.ts),
// kept as regressions: each used to escape as an uncoded exception.
const schema = z.strictObject({ name: z.string().default('x'), items: z.array(z.unknown()).default([]) });

describe('YAML that only fails when resolved', () => {
  it('reports an alias without its anchor as a located YAML problem', () => {
    const result = parseYamlWithSchema('name: x\nitems:\n  - <<: *a\n', schema);
    expect(result).toMatchObject({ ok: false, stage: 'yaml', problems: [{ path: '', line: 3, message: expect.stringContaining('not valid YAML') }] });
  });

  it('reports an alias expansion bomb as a YAML problem instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const started = performance.now();
    const result = parseYamlWithSchema(levels.join('\n'), z.record(z.string(), z.unknown()));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ ok: false, stage: 'yaml', problems: [{ path: '', message: expect.stringContaining('not valid YAML') }] });
  });
});
