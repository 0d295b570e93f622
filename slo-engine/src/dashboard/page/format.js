// Number, size, duration and time formatting for the live page (en, 24-hour clock, local time).

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567"; null -> "–". */
export function formatCount(value) {
  return value == null ? '–' : integer.format(value);
}

/** A value with 3 significant digits at most, e.g. 0.01234 -> "0.0123", 1234.5 -> "1,235". */
export function formatNumber(value) {
  if (value == null || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return integer.format(value);
  return new Intl.NumberFormat('en', { maximumSignificantDigits: 3 }).format(value);
}

/** A ratio as a percentage, e.g. 0.8123 -> "81.2 %". */
export function formatPercent(ratio, digits = 1) {
  if (ratio == null || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** Milliseconds, e.g. 0.42 -> "0.42 ms", 1520 -> "1.52 s". */
export function formatMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${formatNumber(ms / 1000)} s`;
  return `${formatNumber(ms)} ms`;
}

/** Bytes in binary units, e.g. 1536 -> "1.5 KiB". */
export function formatBytes(bytes) {
  if (bytes == null || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value)} ${units[unit]}`;
}

/** A length of time in seconds, two largest units, e.g. 3725 -> "1h 2m", 42 -> "42s". */
export function formatSeconds(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  let rest = Math.max(0, Math.round(seconds));
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    const count = Math.floor(rest / size);
    if (count > 0 || (unit === 's' && parts.length === 0)) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Local wall-clock time of an epoch ms, "14:03:27". */
export function formatClock(epochMs) {
  return new Date(epochMs).toLocaleTimeString('en-GB', { hour12: false });
}

/** Local date and time, "2026-01-22 14:03:27", for titles. */
export function formatDateTime(epochMs) {
  const date = new Date(epochMs);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatClock(epochMs)}`;
}
