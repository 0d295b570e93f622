import { describe, expect, it } from 'vitest';
import { normalizeRequestTarget } from './request-path.ts';

describe('request target normalisation', () => {
  it.each([
    ['/a/b/c', '/a/b/c'],
    ['/index.html?x=1', '/index.html?x=1'],
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/..', '/'],
    ['/a//../b', '/a/b'],
    ['/admin/../public/x?y=/../z', '/public/x?y=/../z'],
  ])('removes dot segments: %s -> %s', (input, expected) => {
    expect(normalizeRequestTarget(input)).toBe(expected);
  });

  it.each([
    ['/x/%2e%2e/admin', '/admin'],
    ['/x/%2E%2E/admin', '/admin'],
    ['/x/.%2e/admin', '/admin'],
    ['/%61dmin', '/admin'],
    ['/%7Euser', '/~user'],
  ])('decodes unreserved escapes before removing dot segments: %s -> %s', (input, expected) => {
    expect(normalizeRequestTarget(input)).toBe(expected);
  });

  it.each(['/admin%2Fx', '/admin%2fx', '/a%2F..%2Fb', '/a//b', '/a%zz', '/a%', '/a%20b', '/a..b/c.'])('keeps %s unchanged', (input) => {
    expect(normalizeRequestTarget(input)).toBe(input);
  });

  it('leaves the query alone', () => {
    expect(normalizeRequestTarget('/a/%2e%2e/b?next=%2e%2e/c')).toBe('/b?next=%2e%2e/c');
  });

  it('returns the same string when nothing changes', () => {
    const target = '/plain/path/file.txt?q=%2e';
    expect(normalizeRequestTarget(target)).toBe(target);
  });
});
