import type { Scenario } from '../matrix/scenario.ts';
import { elasticsearchKilled } from './elasticsearch-killed.ts';
import { proxyReload20x } from './proxy-reload-20x.ts';
import { proxySigtermRestart } from './proxy-sigterm-restart.ts';
import { sloEngineKilledMidHold } from './slo-engine-killed-mid-hold.ts';
import { upstreamKilled } from './upstream-killed.ts';
import { upstreamReset } from './upstream-reset.ts';
import { upstreamResetMidBody } from './upstream-reset-mid-body.ts';
import { upstreamSlow } from './upstream-slow.ts';

/** Every scenario of the fault matrix, in the order the matrix runs them. */
export const SCENARIOS: readonly Scenario[] = [
  upstreamKilled,
  upstreamSlow,
  upstreamResetMidBody,
  upstreamReset,
  elasticsearchKilled,
  sloEngineKilledMidHold,
  proxyReload20x,
  proxySigtermRestart,
];
