// The system under test: where requests go and the headers they carry.
import http from 'k6/http';
import { envString } from './env.js';

/**
 * @typedef {object} Target
 * @property {string} url Request URL, path included.
 * @property {string | undefined} host Host header the proxy routes by; undefined keeps the URL's.
 * @property {Record<string, string>} headers Every header sent (Host included when set).
 */

/**
 * The target from `TARGET_URL` (default `http://127.0.0.1:8080/`), `TARGET_HOST` (default
 * `my-service.my-company.com`, the demo's first virtual host; `-` sends the URL's own host) and
 * `TARGET_HEADERS` (a JSON object of extra headers, default none).
 * @returns {Target}
 */
export function readTarget() {
  const url = envString('TARGET_URL', 'http://127.0.0.1:8080/');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`LOAD_BAD_SETTING: TARGET_URL=${JSON.stringify(url)} is not an http(s) URL`);
  const hostSetting = envString('TARGET_HOST', 'my-service.my-company.com');
  const host = hostSetting === '-' ? undefined : hostSetting;
  const headersText = envString('TARGET_HEADERS', '{}');
  /** @type {unknown} */
  let extra;
  try {
    extra = JSON.parse(headersText);
  } catch (error) {
    throw new Error(`LOAD_BAD_SETTING: TARGET_HEADERS is not JSON: ${String(error)}`);
  }
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new Error('LOAD_BAD_SETTING: TARGET_HEADERS must be a JSON object such as {"authorization":"Bearer x"}');
  }
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [name, value] of Object.entries(extra)) headers[name] = String(value);
  if (host !== undefined) headers['Host'] = host;
  return { url, host, headers };
}

/**
 * Sends one GET to the target. `tags` label the request's metrics (e.g. `{ step: '3' }`);
 * `faultHeaders` are added to the target's headers (the echo upstream's `x-echo-*`).
 * The response body is discarded unless `keepBody` is set.
 * @param {Target} target
 * @param {Record<string, string>} tags
 * @param {{ faultHeaders?: Record<string, string>, keepBody?: boolean }} [options]
 */
export function sendRequest(target, tags, options = {}) {
  const headers = options.faultHeaders === undefined ? target.headers : { ...target.headers, ...options.faultHeaders };
  return http.get(target.url, {
    headers,
    tags: { name: 'target', ...tags },
    responseType: options.keepBody === true ? 'text' : 'none',
  });
}
