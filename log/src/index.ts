export { Logger, createLogger, type LogLevel } from './logger.ts';
