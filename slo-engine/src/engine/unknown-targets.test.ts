import { describe, expect, it } from 'vitest';
import type { Slo } from '../model/slo.ts';
import { findUnknownTargets } from './unknown-targets.ts';

const base = { states: { green: 0.6, orange: 0.8, red: 1 }, holdMs: 0, owners: { sli: [], slo: [] }, minTraffic: 0, kind: 'budget', indicator: { type: 'availability' }, objective: 0.99, windowMs: 60_000 } as const;

describe('findUnknownTargets', () => {
  it('names the SLOs whose service or host no event carries', () => {
    const slos: Slo[] = [
      { ...base, name: 'known', filter: { service: 'api' } },
      { ...base, name: 'typo', filter: { service: 'apy' } },
      { ...base, name: 'by-host', filter: { host: 'shop.example.com' } },
    ];
    expect(findUnknownTargets(slos, { services: ['api'], hosts: ['www.example.com'] })).toEqual([
      { slo: 'typo', field: 'service', value: 'apy' },
      { slo: 'by-host', field: 'host', value: 'shop.example.com' },
    ]);
    expect(findUnknownTargets(slos, { services: ['api', 'apy'], hosts: ['shop.example.com'] })).toEqual([]);
  });
});
