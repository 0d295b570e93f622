const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** A duration string: one or more `<integer><unit>` parts, unit one of ms, s, m, h, d, w (e.g. `5m`, `1h30m`, `30d`). */
export const DURATION_PATTERN = /^(?:\d+(?:ms|s|m|h|d|w))+$/;

/**
 * Milliseconds of a duration string such as `5m`, `1h30m` or `30d`; `undefined` when the
 * string is not one.
 */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let ms = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) {
    ms += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return ms;
}

/**
 * The shortest duration string for `ms` in the largest units that divide it, e.g. 2_592_000_000
 * → "30d", 5_400_000 → "1h30m", 1_500 → "1s500ms". The inverse of {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`not a whole non-negative number of ms: ${ms}`);
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
