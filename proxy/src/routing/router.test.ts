import { describe, expect, it } from 'vitest';
import { normalizeHost, Router } from './router.ts';

describe('router', () => {
  const router = new Router([
    { hosts: ['app.example.com'], pathPrefix: '/', target: 'app' },
    { hosts: ['app.example.com'], pathPrefix: '/api', target: 'api' },
    { hosts: ['app.example.com'], pathPrefix: '/api/v2/', target: 'api-v2' },
    { hosts: ['*.example.com'], pathPrefix: '/', target: 'wildcard' },
    { hosts: ['*.deep.example.com'], pathPrefix: '/', target: 'deep-wildcard' },
  ]);

  it('matches hosts case-insensitively, without port or trailing dot', () => {
    expect(router.match('APP.Example.com:8080', '/')).toBe('app');
    expect(router.match('app.example.com.', '/x')).toBe('app');
  });

  it('picks the longest path prefix on a segment boundary', () => {
    expect(router.match('app.example.com', '/api')).toBe('api');
    expect(router.match('app.example.com', '/api/users?x=1')).toBe('api');
    expect(router.match('app.example.com', '/api?x=1')).toBe('api');
    expect(router.match('app.example.com', '/apix')).toBe('app');
    expect(router.match('app.example.com', '/api/v2/things')).toBe('api-v2');
  });

  it('falls back to the most specific wildcard host', () => {
    expect(router.match('other.example.com', '/')).toBe('wildcard');
    expect(router.match('x.deep.example.com', '/')).toBe('deep-wildcard');
    expect(router.match('example.com', '/')).toBeUndefined();
  });

  it('answers undefined for hosts it does not serve', () => {
    expect(router.match('evil.test', '/')).toBeUndefined();
    expect(router.servesHost('evil.test')).toBe(false);
    expect(router.servesHost('app.example.com')).toBe(true);
  });

  it('normalises IPv6 literals with ports', () => {
    expect(normalizeHost('[::1]:8080')).toBe('[::1]');
    expect(normalizeHost('[::1]')).toBe('[::1]');
  });
});
