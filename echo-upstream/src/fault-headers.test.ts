import { describe, expect, it } from 'vitest';
import { planForRequest } from './fault-headers.ts';
import { DEFAULT_FAULT_PLAN, type FaultPlan, resolveFaultPlan } from './fault-settings.ts';

const defaults: FaultPlan = { ...DEFAULT_FAULT_PLAN };

describe('planForRequest', () => {
  it('returns the defaults object itself when the request has no fault header', () => {
    expect(planForRequest({ host: 'x', 'x-other': '1' }, defaults)).toBe(defaults);
  });

  it('overrides the defaults with every fault header the request carries', () => {
    const plan = planForRequest(
      {
        'x-echo-status': '503',
        'x-echo-delay-ms': '200',
        'x-echo-slow-body-ms': '10',
        'x-echo-reset-after-bytes': '7',
        'x-echo-error-status': '502',
        'x-echo-mode': 'raw',
        'x-echo-response-bytes': '0',
      },
      defaults,
    );
    expect(plan).toEqual({
      ...DEFAULT_FAULT_PLAN,
      status: 503,
      errorStatus: 502,
      delayMs: 200,
      slowBodyMs: 10,
      resetAfterBytes: 7,
      mode: 'raw',
      responseBytes: 0,
    });
    expect(defaults).toEqual(DEFAULT_FAULT_PLAN);
  });

  it('turns x-echo-reset into a reset ratio of 1 or 0, overriding a configured ratio', () => {
    const configured = resolveFaultPlan({ resetRatio: 0.5 });
    expect(planForRequest({ 'x-echo-reset': '1' }, configured)).toMatchObject({ resetRatio: 1 });
    expect(planForRequest({ 'x-echo-reset': 'false' }, configured)).toMatchObject({ resetRatio: 0 });
    expect(planForRequest({ 'x-echo-reset-ratio': '0.25' }, defaults)).toMatchObject({ resetRatio: 0.25 });
  });

  it('lets x-echo-status switch off a configured error ratio unless x-echo-error-ratio is sent too', () => {
    const configured = resolveFaultPlan({ errorRatio: 0.5 });
    expect(planForRequest({ 'x-echo-status': '201' }, configured)).toMatchObject({ status: 201, errorRatio: 0 });
    expect(planForRequest({ 'x-echo-status': '201', 'x-echo-error-ratio': '0.3' }, configured)).toMatchObject({ status: 201, errorRatio: 0.3 });
  });

  it.each([
    ['x-echo-status', 'abc', 'an integer from 200 to 599'],
    ['x-echo-status', '99', 'an integer from 200 to 599'],
    ['x-echo-status', '503, 503', 'an integer from 200 to 599'],
    ['x-echo-delay-ms', '-1', 'an integer from 0 to 3600000'],
    ['x-echo-delay-ms', '1.5', 'an integer from 0 to 3600000'],
    ['x-echo-error-ratio', '1.1', 'a number from 0 to 1'],
    ['x-echo-error-ratio', 'half', 'a number from 0 to 1'],
    ['x-echo-reset', 'yes', '1, 0, true or false'],
    ['x-echo-reset-after-bytes', '1e3', 'a non-negative integer (bytes)'],
    ['x-echo-mode', 'json', 'one of: echo, raw'],
    ['x-echo-response-bytes', '', 'a non-negative integer (bytes)'],
  ])('rejects %s: %j, naming the header and the expected values', (header, value, expected) => {
    expect(planForRequest({ [header]: value }, defaults)).toEqual({
      code: 'ECHO_BAD_FAULT_HEADER',
      header,
      message: `${header} expects ${expected}, got ${JSON.stringify(value)}`,
    });
  });
});

describe('resolveFaultPlan', () => {
  it('rejects unknown keys and invalid values, naming them', () => {
    expect(() => resolveFaultPlan({ delay: 1 } as never)).toThrow(/faults\.delay is not a fault setting/);
    expect(() => resolveFaultPlan({ errorRatio: 2 })).toThrow('faults.errorRatio expects a number from 0 to 1, got 2');
  });

  it('accepts the text forms of values', () => {
    expect(resolveFaultPlan({ delayMs: '5' as never, reset: 'true' as never })).toMatchObject({ delayMs: 5, resetRatio: 1 });
  });
});
