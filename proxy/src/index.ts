export { ProxyServer } from './proxy-server.ts';
export type { ProxyServerOptions } from './proxy-server.ts';
export { ConfigError, loadConfigFile, parseConfigText } from './config/load-config.ts';
export type { ConfigErrorCode, ConfigProblem } from './config/load-config.ts';
export { proxyConfigSchema } from './config/schema.ts';
export type { BalancerConfig, ProxyConfig, ServiceConfig } from './config/schema.ts';
export { PROXY_ERRORS, ProxyError } from './errors.ts';
export type { ProxyErrorCode } from './errors.ts';
export type { Exchange } from './forward/exchange.ts';
