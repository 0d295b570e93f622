export { startEchoUpstream } from './echo-server.ts';
export type { EchoUpstream, EchoUpstreamOptions } from './echo-server.ts';
export { spawnEchoUpstream } from './spawn-echo-upstream.ts';
export type { SpawnedEchoUpstream, SpawnEchoUpstreamOptions } from './spawn-echo-upstream.ts';
export type { EchoReply } from './echo-reply.ts';
export type { EchoMode, FaultSettings } from './fault-settings.ts';
export { BAD_FAULT_HEADER } from './fault-headers.ts';
export { patternBytes } from './response-pattern.ts';
export { EchoOptionError, EchoSpawnError, EchoUpstreamError } from './errors.ts';
