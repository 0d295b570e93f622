/**
 * How one setting's value is written (flag, config file, request header) and which values it
 * accepts. The same kind validates all three sources, so they can never disagree.
 */
export interface ValueKind<T> {
  /** Completes "... expects <expected>" in error messages. */
  readonly expected: string;
  /** Parses a flag or header value; undefined when invalid. */
  fromText(text: string): T | undefined;
  /** Accepts a typed value (JSON config, in-process options) or its text form; undefined when invalid. */
  fromValue(value: unknown): T | undefined;
}

const DIGITS = /^\d{1,16}$/;
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;

export function integerKind(min: number, max: number, expected = `an integer from ${min} to ${max}`): ValueKind<number> {
  const accepts = (n: number): boolean => Number.isSafeInteger(n) && n >= min && n <= max;
  const fromText = (text: string): number | undefined => {
    if (!DIGITS.test(text)) return undefined;
    const n = Number(text);
    return accepts(n) ? n : undefined;
  };
  return {
    expected,
    fromText,
    fromValue: (value) =>
      typeof value === 'number' ? (accepts(value) ? value : undefined) : typeof value === 'string' ? fromText(value) : undefined,
  };
}

/** A share of requests, from 0 to 1 inclusive. */
export const ratioKind: ValueKind<number> = (() => {
  const accepts = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= 1;
  const fromText = (text: string): number | undefined => {
    if (!DECIMAL.test(text)) return undefined;
    const n = Number(text);
    return accepts(n) ? n : undefined;
  };
  return {
    expected: 'a number from 0 to 1',
    fromText,
    fromValue: (value) =>
      typeof value === 'number' ? (accepts(value) ? value : undefined) : typeof value === 'string' ? fromText(value) : undefined,
  };
})();

export const booleanKind: ValueKind<boolean> = (() => {
  const fromText = (text: string): boolean | undefined =>
    text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : undefined;
  return {
    expected: '1, 0, true or false',
    fromText,
    fromValue: (value) =>
      typeof value === 'boolean' ? value : value === 1 ? true : value === 0 ? false : typeof value === 'string' ? fromText(value) : undefined,
  };
})();

export function oneOfKind<T extends string>(values: readonly T[]): ValueKind<T> {
  const fromText = (text: string): T | undefined => values.find((v) => v === text);
  return {
    expected: `one of: ${values.join(', ')}`,
    fromText,
    fromValue: (value) => (typeof value === 'string' ? fromText(value) : undefined),
  };
}

/** Text matching `pattern` (used for host names and instance names). */
export function textKind(pattern: RegExp, expected: string): ValueKind<string> {
  const fromText = (text: string): string | undefined => (pattern.test(text) ? text : undefined);
  return {
    expected,
    fromText,
    fromValue: (value) => (typeof value === 'string' ? fromText(value) : undefined),
  };
}

/** Renders a rejected value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}
