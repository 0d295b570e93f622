// Reading the profiles' settings from environment variables (`k6 run -e NAME=value` or the
// process environment), with the defaults documented in README.md.

/**
 * A string setting, or `fallback` when the variable is unset or empty.
 * @param {string} name
 * @param {string} fallback
 * @returns {string}
 */
export function envString(name, fallback) {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

/**
 * A number setting (`fallback` when unset); throws naming the variable when it is not a number
 * in `[min, max]`.
 * @param {string} name
 * @param {number} fallback
 * @param {number} [min]
 * @param {number} [max]
 * @returns {number}
 */
export function envNumber(name, fallback, min = 0, max = Number.MAX_SAFE_INTEGER) {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`LOAD_BAD_SETTING: ${name}=${JSON.stringify(text)} is not a number in [${min}, ${max}]`);
  }
  return value;
}

/**
 * A duration setting in seconds: `30`, `30s`, `5m`, `1h`, `1m30s`; `fallback` when unset.
 * @param {string} name
 * @param {string} fallback
 * @returns {number}
 */
export function envSeconds(name, fallback) {
  const text = envString(name, fallback);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(text);
  const seconds = match === null ? NaN : Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (!(seconds > 0)) throw new Error(`LOAD_BAD_SETTING: ${name}=${JSON.stringify(text)} is not a duration such as 30s, 5m, 1h or 1m30s`);
  return seconds;
}

/**
 * A share in [0, 1]: `0.05` or `5%`; `fallback` when unset.
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function envRatio(name, fallback) {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  const value = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`LOAD_BAD_SETTING: ${name}=${JSON.stringify(text)} is not a share in [0, 1] such as 0.05 or 5%`);
  }
  return value;
}
