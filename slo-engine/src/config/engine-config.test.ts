import { describe, expect, it } from 'vitest';
import { EngineConfigError } from './engine-config-error.ts';
import { parseEngineConfigText } from './engine-config.ts';

/** The config error thrown for `text`, or a failure if it parses. */
function configError(text: string): EngineConfigError {
  try {
    parseEngineConfigText(text, 'engine.yaml');
  } catch (error) {
    if (error instanceof EngineConfigError) return error;
    throw error;
  }
  throw new Error(`expected a config error for ${JSON.stringify(text)}`);
}

describe('engine config: reconcile', () => {
  it('defaults to re-counting the last 6 hours every 10 minutes', () => {
    expect(parseEngineConfigText('slos: slos.yaml\n', 'engine.yaml')).toMatchObject({ settle: '5m', reconcile: { every: '10m', horizon: '6h' } });
    expect(parseEngineConfigText('slos: slos.yaml\nreconcile: { horizon: 24h }\n', 'engine.yaml').reconcile).toEqual({ every: '10m', horizon: '24h' });
  });

  it('accepts a horizon equal to settle', () => {
    expect(parseEngineConfigText('slos: slos.yaml\nsettle: 30m\nreconcile: { horizon: 30m }\n', 'engine.yaml').reconcile.horizon).toBe('30m');
  });

  it('refuses a horizon shorter than settle, naming the file, line, path and expectation', () => {
    const error = configError('slos: slos.yaml\nsettle: 15m\nreconcile:\n  horizon: 10m\n');
    expect(error.code).toBe('SLO_ENGINE_CONFIG_INVALID');
    expect(error.problems).toEqual([{ path: 'reconcile.horizon', line: 4, message: 'expected at least settle (15m): minutes are rolled up only once settled' }]);
    expect(error.message).toContain('engine.yaml:4: reconcile.horizon: expected at least settle (15m)');
  });

  it('refuses a settle longer than the default horizon, pointing at the horizon to raise', () => {
    expect(configError('slos: slos.yaml\nsettle: 12h\n').problems).toEqual([expect.objectContaining({ path: 'reconcile.horizon', message: expect.stringContaining('at least settle (12h)') })]);
  });

  it('refuses an interval that is not a duration longer than 0, and unknown keys', () => {
    expect(configError('slos: slos.yaml\nreconcile: { every: 0s }\n').problems).toEqual([{ path: 'reconcile.every', line: 2, message: 'expected a duration longer than 0' }]);
    expect(configError('slos: slos.yaml\nreconcile:\n  every: often\n').problems).toEqual([{ path: 'reconcile.every', line: 3, message: expect.stringContaining('expected a duration such as "30s"') }]);
    expect(configError('slos: slos.yaml\nreconcile: { horizn: 2h }\n').problems).toEqual([expect.objectContaining({ path: 'reconcile', line: 2, message: expect.stringContaining('horizn') })]);
  });
});
