import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

// The parts of undici the proxy uses, loaded one by one. Importing undici's index loads fetch,
// WebSocket, caches and mocks too: measured +28 MiB RSS for the index against +15 MiB for
// these modules, in a process whose budget is 90 MiB. Types come from the public API.

/** undici's connection pool to one origin. */
export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export type Pool = Undici.Pool;
/** undici's single-connection client. */
export const Client = require('undici/lib/dispatcher/client.js') as typeof Undici.Client;
export type Client = Undici.Client;
/** undici's TCP/TLS connector factory. */
export const buildConnector = require('undici/lib/core/connect.js') as typeof Undici.buildConnector;
export type Connector = Undici.buildConnector.connector;
/** undici's error classes. */
export const errors = require('undici/lib/core/errors.js') as typeof Undici.errors;

// undici's index attaches its request API to every dispatcher (`Object.assign(Dispatcher
// .prototype, api)`); do the same for the one method used here (health checks).
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
Dispatcher.prototype.request ??= require('undici/lib/api/api-request.js') as unknown;
