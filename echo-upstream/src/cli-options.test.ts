import { describe, expect, it } from 'vitest';
import { parseCli, usage } from './cli-options.ts';
import { EchoOptionError } from './errors.ts';

function files(contents: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  };
}

function parseError(argv: string[], readFile?: (path: string) => string): EchoOptionError {
  try {
    parseCli(argv, readFile);
  } catch (error) {
    if (error instanceof EchoOptionError) return error;
    throw error;
  }
  throw new Error('expected an EchoOptionError');
}

describe('parseCli', () => {
  it('reads server and fault flags in both --flag value and --flag=value forms', () => {
    expect(parseCli(['--port', '9001', '--host=0.0.0.0', '--name', 'blue', '--delay-ms=50', '--error-ratio', '0.1', '--max-echo-bytes', '10'])).toEqual({
      kind: 'run',
      options: { port: 9001, host: '0.0.0.0', name: 'blue', maxEchoBytes: 10, faults: { delayMs: 50, errorRatio: 0.1 } },
    });
  });

  it('returns no options when run without flags', () => {
    expect(parseCli([])).toEqual({ kind: 'run', options: {} });
  });

  it('asks for help on --help and -h', () => {
    expect(parseCli(['--help'])).toEqual({ kind: 'help' });
    expect(parseCli(['-h'])).toEqual({ kind: 'help' });
    expect(usage()).toContain('--reset-after-bytes');
  });

  it('merges a JSON config file with flags, flags winning', () => {
    const readFile = files({ 'echo.json': JSON.stringify({ port: 9002, name: 'green', 'delay-ms': 10, status: '503', reset: true }) });
    expect(parseCli(['--config', 'echo.json', '--name', 'blue'], readFile)).toEqual({
      kind: 'run',
      options: { port: 9002, name: 'blue', faults: { delayMs: 10, status: 503, reset: true } },
    });
  });

  it.each([
    [['--delay-ms', 'abc'], '--delay-ms expects an integer from 0 to 3600000, got "abc"'],
    [['--port', '70000'], '--port expects an integer from 0 to 65535, got "70000"'],
    [['--port'], '--port expects an integer from 0 to 65535, got nothing'],
    [['--error-ratio', '2'], '--error-ratio expects a number from 0 to 1, got "2"'],
    [['--name', 'a b'], '--name expects 1 to 128 printable ASCII characters without spaces, got "a b"'],
    [['--mode', 'json'], '--mode expects one of: echo, raw, got "json"'],
    [['--verbose'], 'unknown flag --verbose (see --help for the list)'],
    [['9001'], 'unexpected argument "9001" (flags look like --port 9001; see --help)'],
    [['--config'], '--config expects a file path, got nothing'],
  ])('rejects %j with a message naming the flag and what it expects', (argv, message) => {
    expect(parseError(argv).message).toBe(message);
  });

  it('rejects config files that are missing, not JSON, not an object, or hold unknown keys or bad values', () => {
    const readFile = files({ 'bad.json': '{ port: 1 }', 'list.json': '[1]', 'key.json': '{"delay": 1}', 'value.json': '{"status": 42}' });
    expect(parseError(['--config', 'none.json'], readFile).message).toMatch(/^--config: cannot read none\.json: ENOENT/);
    expect(parseError(['--config', 'bad.json'], readFile).message).toMatch(/^config file bad\.json: not valid JSON/);
    expect(parseError(['--config', 'list.json'], readFile).message).toBe('config file list.json: expected a JSON object of settings, got [1]');
    expect(parseError(['--config', 'key.json'], readFile).message).toMatch(/^config file key\.json: unknown key "delay" \(expected one of: port, host, name,/);
    expect(parseError(['--config', 'value.json'], readFile).message).toBe('config file value.json: "status" expects an integer from 200 to 599, got 42');
  });
});
