import type { PoolColor } from '../config/schema.ts';

/**
 * Why a blue/green switch was refused, with the admin API status of each. A refused switch
 * changes nothing.
 */
export const COLOR_SWITCH_ERRORS = {
  SWITCH_UNKNOWN_SERVICE: { status: 404, message: 'no service has this name' },
  SWITCH_NOT_BLUE_GREEN: { status: 409, message: 'the service has a single pool (configure "blueGreen" to switch colours)' },
  SWITCH_POOL_UNAVAILABLE: { status: 409, message: 'no member of the target pool is healthy; send "force": true to switch anyway' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ColorSwitchErrorCode = keyof typeof COLOR_SWITCH_ERRORS;

/** A blue/green switch that was refused. */
export class ColorSwitchError extends Error {
  readonly code: ColorSwitchErrorCode;
  readonly status: number;

  constructor(code: ColorSwitchErrorCode, detail: string) {
    super(`${COLOR_SWITCH_ERRORS[code].message}: ${detail}`);
    this.name = 'ColorSwitchError';
    this.code = code;
    this.status = COLOR_SWITCH_ERRORS[code].status;
  }
}

/** Who set the active colour: the config file, or a switch made through the admin API. */
export type ColorSource = 'config' | 'admin';

/** A service's blue/green state, as /status and the switch answer report it. */
export interface BlueGreenStatus {
  readonly active: PoolColor;
  /** The colour the config file names; differs from `active` after an admin switch. */
  readonly configured: PoolColor;
  readonly source: ColorSource;
  /** The colour active before the last switch, undefined before any switch. */
  readonly previous: PoolColor | undefined;
  /** When the last switch happened (ISO 8601), undefined before any switch. */
  readonly switchedAt: string | undefined;
  readonly pools: Readonly<Record<PoolColor, PoolHealth>>;
}

/** How much of a pool can take traffic now. */
export interface PoolHealth {
  readonly members: number;
  /** Members healthy and not ejected. */
  readonly available: number;
  /** Whether active health checks watch the pool (`healthCheck` set on the service). */
  readonly healthChecked: boolean;
}

/** The answer to a switch request. */
export interface ColorSwitchResult {
  readonly service: string;
  /** False when the colour was already active (a repeated switch is harmless). */
  readonly changed: boolean;
  /** True when the target pool had no healthy member and `force` overrode the refusal. */
  readonly forced: boolean;
  readonly blueGreen: BlueGreenStatus;
}
