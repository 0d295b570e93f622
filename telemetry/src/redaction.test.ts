import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_QUERY_PARAMS, NEVER_RECORDED_HEADERS, createQueryRedactor, isNeverRecordedHeader } from './redaction.ts';

describe('never recorded headers', () => {
  it('lists credentials and cookies in lower case', () => {
    expect([...NEVER_RECORDED_HEADERS].sort()).toEqual(['authorization', 'cookie', 'proxy-authorization', 'set-cookie']);
    for (const name of NEVER_RECORDED_HEADERS) expect(isNeverRecordedHeader(name)).toBe(true);
    expect(isNeverRecordedHeader('user-agent')).toBe(false);
  });
});

describe('query redaction', () => {
  const redact = createQueryRedactor(['token', 'api_key', 'my key']);

  it('replaces the value of a named parameter and keeps everything else byte for byte', () => {
    expect(redact.query('a=1&token=s3cr3t&b=%20x+y')).toBe('a=1&token=REDACTED&b=%20x+y');
    expect(redact.query('token=s3cr3t')).toBe('token=REDACTED');
    expect(redact.query('token=')).toBe('token=REDACTED');
  });

  it('redacts every occurrence of a repeated parameter', () => {
    expect(redact.query('token=a&token=b&api_key=c')).toBe('token=REDACTED&token=REDACTED&api_key=REDACTED');
  });

  it('matches names case-insensitively and keeps their spelling', () => {
    expect(redact.query('TOKEN=a&Api_Key=b')).toBe('TOKEN=REDACTED&Api_Key=REDACTED');
  });

  it('sees through percent-encoded and plus-encoded names', () => {
    expect(redact.query('t%6Fken=a&%74%6f%6b%65%6e=b')).toBe('t%6Fken=REDACTED&%74%6f%6b%65%6e=REDACTED');
    expect(redact.query('my+key=a&my%20key=b')).toBe('my+key=REDACTED&my%20key=REDACTED');
  });

  it('treats a semicolon as a separator too', () => {
    expect(redact.query('a=1;token=s3cr3t;b=2')).toBe('a=1;token=REDACTED;b=2');
  });

  it('leaves parameters whose names only contain a redacted name alone', () => {
    const query = 'mytoken=1&token_type=bearer&tokens=2&x=token';
    expect(redact.query(query)).toBe(query);
  });

  it('returns the query unchanged when no named parameter is in it', () => {
    const query = 'page=2&sort=desc&q=caf%C3%A9';
    expect(redact.query(query)).toBe(query);
    expect(redact.query('')).toBe('');
  });

  it('redacts only the query part of a request target', () => {
    expect(redact.target('/token=x/path?token=s3cr3t&page=2')).toBe('/token=x/path?token=REDACTED&page=2');
    expect(redact.target('/no/query')).toBe('/no/query');
    expect(redact.target('https://example.com/a?api_key=k')).toBe('https://example.com/a?api_key=REDACTED');
  });

  it('redacts nothing when configured with no names', () => {
    const none = createQueryRedactor([]);
    expect(none.query('token=s3cr3t')).toBe('token=s3cr3t');
    expect(none.target('/?token=s3cr3t')).toBe('/?token=s3cr3t');
  });

  it('redacts common credential parameters by default, including signed-URL signatures', () => {
    const defaults = createQueryRedactor();
    expect(DEFAULT_REDACTED_QUERY_PARAMS).toContain('access_token');
    expect(defaults.query('access_token=a&X-Amz-Signature=b&x-amz-credential=c&q=1')).toBe(
      'access_token=REDACTED&X-Amz-Signature=REDACTED&x-amz-credential=REDACTED&q=1',
    );
  });

  it('escapes names that contain regular expression characters', () => {
    const special = createQueryRedactor(['user[pass]', 'a.b']);
    expect(special.query('user[pass]=x&user%5Bpass%5D=y&axb=z&a.b=w')).toBe(
      'user[pass]=REDACTED&user%5Bpass%5D=REDACTED&axb=z&a.b=REDACTED',
    );
  });
});
