import { describe, expect, it } from 'vitest';
import { continueTrace, traceparentOf } from './trace-context.ts';

describe('trace context', () => {
  it('continues a valid incoming trace with a new span of its own', () => {
    const context = continueTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(context.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context.spanId).not.toBe('00f067aa0ba902b7');
    expect(traceparentOf(context)).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${context.spanId}-01`);
  });

  it('starts a new trace when the header is absent, malformed or all zeros', () => {
    for (const header of [undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
      const context = continueTrace(header);
      expect(context.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(context.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(context.flags).toBe('01');
    }
  });

  it('gives distinct ids across many traces', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => continueTrace(undefined).traceId));
    expect(ids.size).toBe(10_000);
  });
});
