import { describe, expect, it } from 'vitest';
import { requestHeadProblem } from './request-head-check.ts';

const withHost = (host: string): string[] => ['User-Agent', 't', 'Host', host];

describe('request head check', () => {
  it.each(['app.test', 'app.test:8080', 'App.Test', 'app.test:80', 'app.test.', '127.0.0.1:8080', '[::1]', '[::1]:8080', 'my_host'])('accepts Host %s', (host) => {
    expect(requestHeadProblem('/x', withHost(host))).toBeUndefined();
  });

  it.each(['app.test/evil', 'evil@app.test', 'app .test', 'app.test:99999', 'app.test:', 'a\tb', '1.2.3:80', '[zz]', 'app.test?x', 'app.test#x', '%41pp.test'])(
    'refuses Host %s',
    (host) => {
      expect(requestHeadProblem('/x', withHost(host))).toMatchObject({ code: 'PROXY_BAD_HOST', detail: expect.stringContaining('invalid Host header') });
    },
  );

  it('refuses a missing, empty or repeated Host', () => {
    expect(requestHeadProblem('/', ['Accept', '*/*'])).toEqual({ code: 'PROXY_BAD_HOST', detail: 'no Host header' });
    expect(requestHeadProblem('/', ['Host', ''])).toEqual({ code: 'PROXY_BAD_HOST', detail: 'empty Host header' });
    expect(requestHeadProblem('/', ['Host', 'a.test', 'host', 'a.test'])).toEqual({ code: 'PROXY_BAD_HOST', detail: '2 Host headers' });
  });

  it('accepts origin-form and absolute-form targets', () => {
    expect(requestHeadProblem('/a?b=\\c', withHost('a.test'))).toBeUndefined();
    expect(requestHeadProblem('http://a.test/x', withHost('a.test'))).toBeUndefined();
    expect(requestHeadProblem('https://a.test/x', withHost('a.test'))).toBeUndefined();
  });

  it.each(['*', 'a.test:443', 'HTTP://a.test/', 'ftp://a.test/', 'http://', '/a\\..\\b', 'http://a.test/a\\b', '/a#b', '/admin#/../x', 'http://user:pw@a.test/'])('refuses the target %s', (target) => {
    expect(requestHeadProblem(target, withHost('a.test'))).toMatchObject({ code: 'PROXY_BAD_REQUEST' });
  });

  it('quotes at most 100 characters of a bad value', () => {
    const problem = requestHeadProblem('/', withHost(`${'a'.repeat(300)} b`));
    expect(problem?.detail.length).toBeLessThan(140);
  });
});
