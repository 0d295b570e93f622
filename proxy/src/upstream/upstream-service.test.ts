import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/load-config.ts';
import type { ServiceConfig } from '../config/schema.ts';
import { Logger } from '../log.ts';
import { ColorSwitchError } from './color-switch.ts';
import { MemberRegistry } from './member-registry.ts';
import { UpstreamService } from './upstream-service.ts';

const quiet = new Logger({}, 'fatal');
const registry = new MemberRegistry();
afterEach(() => registry.closeAll());

function serviceConfig(service: object): ServiceConfig {
  return parseConfigText(JSON.stringify({ services: [{ name: 'shop', hosts: ['shop.test'], ...service }] }), 'proxy.yaml').services[0]!;
}

const BLUE_GREEN = { blue: [{ url: 'http://127.0.0.1:9001' }, { url: 'http://127.0.0.1:9002' }], green: [{ url: 'http://127.0.0.1:9003' }] };

function blueGreen(active: 'blue' | 'green' = 'blue'): UpstreamService {
  return new UpstreamService(serviceConfig({ blueGreen: { active, ...BLUE_GREEN } }), registry, { maxRequestBodyBytes: 1024 }, quiet);
}

describe('UpstreamService blue/green', () => {
  it('sends new requests to the configured colour and reports both pools', () => {
    const service = blueGreen('green');
    expect(service.active.color).toBe('green');
    expect(service.active.members.map((m) => m.url)).toEqual(['http://127.0.0.1:9003']);
    expect(service.members).toHaveLength(3);
    expect(service.blueGreenStatus()).toEqual({
      active: 'green',
      configured: 'green',
      source: 'config',
      previous: undefined,
      switchedAt: undefined,
      pools: { blue: { members: 2, available: 2, healthChecked: false }, green: { members: 1, available: 1, healthChecked: false } },
    });
  });

  it('switches and rolls back by replacing the active pool, leaving a pool already taken untouched', () => {
    const service = blueGreen();
    const taken = service.active;
    const result = service.switchColor('green', { now: Date.parse('2026-01-02T03:04:05Z') });
    expect(result).toMatchObject({ service: 'shop', changed: true, forced: false, blueGreen: { active: 'green', configured: 'blue', source: 'admin', previous: 'blue', switchedAt: '2026-01-02T03:04:05.000Z' } });
    expect(service.active.color).toBe('green');
    expect(taken.color).toBe('blue');
    expect(service.switchColor('green').changed).toBe(false);
    expect(service.switchColor('blue')).toMatchObject({ changed: true, blueGreen: { active: 'blue', previous: 'green' } });
    expect(service.active).toBe(taken);
  });

  it('refuses a switch to a pool with no available member unless forced', () => {
    const service = blueGreen();
    const green = service.pools.find((pool) => pool.color === 'green')!;
    green.members[0]!.healthy = false;
    expect(() => service.switchColor('green')).toThrow(expect.objectContaining({ code: 'SWITCH_POOL_UNAVAILABLE', status: 409 }));
    expect(service.active.color).toBe('blue');
    expect(service.switchColor('green', { force: true })).toMatchObject({ changed: true, forced: true });
    // Ejected members count as unavailable too.
    const blue = service.pools.find((pool) => pool.color === 'blue')!;
    for (const member of blue.members) member.ejectedUntil = Date.now() + 60_000;
    expect(() => service.switchColor('blue')).toThrow(ColorSwitchError);
  });

  it('refuses to switch a service with a single pool', () => {
    const service = new UpstreamService(serviceConfig({ upstreams: [{ url: 'http://127.0.0.1:9001' }] }), registry, { maxRequestBodyBytes: 1024 }, quiet);
    expect(service.active.color).toBeUndefined();
    expect(service.blueGreenStatus()).toBeUndefined();
    expect(() => service.switchColor('green')).toThrow(expect.objectContaining({ code: 'SWITCH_NOT_BLUE_GREEN' }));
  });

  it('keeps an admin switch across a reload whose file still names the old colour, and lets a changed file win', () => {
    const before = blueGreen('blue');
    before.switchColor('green');
    const sameFile = blueGreen('blue');
    sameFile.inheritColor(before);
    expect(sameFile.blueGreenStatus()).toMatchObject({ active: 'green', configured: 'blue', source: 'admin', previous: 'blue' });

    const reloadToGreen = blueGreen('green');
    reloadToGreen.inheritColor(blueGreen('blue'));
    expect(reloadToGreen.blueGreenStatus()).toMatchObject({ active: 'green', source: 'config', previous: 'blue' });

    const fileChanged = blueGreen('blue');
    const switched = blueGreen('green');
    switched.switchColor('blue');
    fileChanged.inheritColor(switched);
    expect(fileChanged.blueGreenStatus()).toMatchObject({ active: 'blue', source: 'config' });
  });
});
