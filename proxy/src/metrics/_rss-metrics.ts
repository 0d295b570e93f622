export { ProxyMetrics } from './proxy-metrics.ts';
export { Logger } from '../log.ts';
