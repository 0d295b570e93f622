import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from './load-config.ts';

function problems(text: string) {
  try {
    parseConfigText(text, 'proxy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('config loading', () => {
  it('applies defaults to a minimal config', () => {
    const config = parseConfigText('services:\n  - name: a\n    hosts: [A.test]\n    upstreams: [{ url: "http://127.0.0.1:9001" }]\n', 'proxy.yaml');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.services[0]).toMatchObject({ hosts: ['a.test'], balancer: { type: 'round-robin' }, timeouts: { connect: 2000, headers: 30000 } });
  });

  it('parses durations and sizes with units', () => {
    const config = parseConfigText(
      'limits: { maxHeaderBytes: 8KiB, clientHeadersTimeout: 1.5s }\nservices:\n  - name: a\n    hosts: [a.test]\n    timeouts: { total: 2m }\n    upstreams: [{ url: "http://127.0.0.1:9001" }]\n',
      'proxy.yaml',
    );
    expect(config.limits.maxHeaderBytes).toBe(8192);
    expect(config.limits.clientHeadersTimeout).toBe(1500);
    expect(config.services[0]!.timeouts.total).toBe(120_000);
  });

  it('names the line, path and expectation of each problem', () => {
    const found = problems('services:\n  - name: a\n    hosts: [a.test]\n    balancer: fastest\n    timeouts: { connect: soon }\n    upstreams: [{ url: "ftp://x" }]\n    colour: blue\n');
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 4, path: 'services[0].balancer.type', message: expect.stringContaining('"round-robin"') }),
        expect.objectContaining({ line: 5, path: 'services[0].timeouts.connect', message: expect.stringContaining('expected a duration') }),
        expect.objectContaining({ line: 6, path: 'services[0].upstreams[0].url', message: expect.stringContaining('expected an upstream origin') }),
        expect.objectContaining({ path: 'services[0]', message: 'unknown key "colour"' }),
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('services:\n  - name: a\n    hosts: [a.test\n')[0]).toMatchObject({ line: expect.any(Number), message: expect.stringContaining('not valid YAML') });
  });

  it('rejects two services claiming the same host and prefix', () => {
    const found = problems(
      'services:\n  - name: a\n    hosts: [a.test]\n    upstreams: [{ url: "http://127.0.0.1:1" }]\n  - name: b\n    hosts: [a.test]\n    upstreams: [{ url: "http://127.0.0.1:2" }]\n',
    );
    expect(found[0]!.message).toContain('already routed to service "a"');
  });

  describe('blue/green services', () => {
    const pools = 'blueGreen:\n      active: green\n      blue: [{ url: "http://127.0.0.1:9001" }]\n      green: [{ url: "http://127.0.0.1:9002", weight: 3 }]\n';

    it('accepts two pools and the active colour in place of upstreams', () => {
      const config = parseConfigText(`services:\n  - name: shop\n    hosts: [shop.test]\n    ${pools}`, 'proxy.yaml');
      expect(config.services[0]!.upstreams).toBeUndefined();
      expect(config.services[0]!.blueGreen).toEqual({
        active: 'green',
        blue: [{ url: 'http://127.0.0.1:9001', weight: 1 }],
        green: [{ url: 'http://127.0.0.1:9002', weight: 3 }],
      });
    });

    it('requires upstreams or blueGreen, and not both', () => {
      expect(problems('services:\n  - name: shop\n    hosts: [shop.test]\n')).toEqual([
        expect.objectContaining({ path: 'services[0].upstreams', message: 'expected "upstreams" (one pool) or "blueGreen" (blue and green pools)' }),
      ]);
      const both = problems(`services:\n  - name: shop\n    hosts: [shop.test]\n    upstreams: [{ url: "http://127.0.0.1:9003" }]\n    ${pools}`);
      expect(both).toEqual([expect.objectContaining({ path: 'services[0].blueGreen', message: expect.stringContaining('exclude each other') })]);
    });

    it('names a wrong colour, a missing pool and a member shared by both colours', () => {
      const found = problems(
        'services:\n  - name: shop\n    hosts: [shop.test]\n    blueGreen:\n      active: red\n      blue: [{ url: "http://127.0.0.1:9001" }]\n',
      );
      expect(found).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ line: 5, path: 'services[0].blueGreen.active', message: 'expected the active colour: "blue" or "green", got "red"' }),
          expect.objectContaining({ path: 'services[0].blueGreen.green', message: 'expected the green pool: a list such as [{ url: "http://10.0.0.1:9001" }] (missing)' }),
        ]),
      );
      const shared = problems(
        'services:\n  - name: shop\n    hosts: [shop.test]\n    blueGreen:\n      active: blue\n      blue: [{ url: "http://127.0.0.1:9001" }]\n      green: [{ url: "http://127.0.0.1:9001/" }]\n',
      );
      expect(shared).toEqual([
        expect.objectContaining({ line: 7, path: 'services[0].blueGreen.green[0].url', message: '"http://127.0.0.1:9001/" is also in the blue pool: the two colours must not share members' }),
      ]);
    });
  });
});
