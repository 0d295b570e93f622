/**
 * Milliseconds from `now` that an HTTP `Retry-After` header asks to wait (RFC 9110 §10.2.3):
 * either delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`). A date in
 * the past gives 0. `undefined` when the header is absent or neither form.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now: number): number | undefined {
  const text = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-date: IMF-fixdate (and the obsolete RFC 850 / asctime forms, which Date.parse reads too).
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
