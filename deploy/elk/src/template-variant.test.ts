import { describe, expect, it } from 'vitest';
import type { ClusterInfo } from './cluster-info.ts';
import { contentHash } from './content-hash.ts';
import { chooseVariant, defaultReplicas, PRODUCTION_MODULES } from './template-variant.ts';

const cluster = (modules: readonly string[], dataNodes = 1): ClusterInfo => ({ version: '8.19.21', nodes: dataNodes, dataNodes, modules: new Set(modules) });

describe('chooseVariant', () => {
  it('picks production when every module is there, portable otherwise, and says what was missing', () => {
    expect(chooseVariant('auto', cluster(PRODUCTION_MODULES))).toEqual({ variant: 'production', missingModules: [] });
    expect(chooseVariant('auto', cluster(['x-pack-core', 'wildcard']))).toEqual({
      variant: 'portable',
      missingModules: ['data-streams', 'x-pack-ilm', 'constant-keyword', 'mapper-extras'],
    });
    expect(chooseVariant('portable', cluster(PRODUCTION_MODULES)).variant).toBe('portable');
  });

  it('refuses a forced production variant without its modules', () => {
    expect(() => chooseVariant('production', cluster(['data-streams']))).toThrow(/lacks x-pack-ilm, wildcard, constant-keyword, mapper-extras/);
  });

  it('adds a replica only when a second data node can hold it', () => {
    expect(defaultReplicas(cluster([], 1))).toBe(0);
    expect(defaultReplicas(cluster([], 3))).toBe(1);
  });
});

describe('contentHash', () => {
  it('is the same whatever the key order, and differs with any value', () => {
    expect(contentHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(contentHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(contentHash({ a: 1, b: { c: [2, 1] } })).not.toBe(contentHash({ a: 1, b: { c: [1, 2] } }));
  });
});
