import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { LoggingConfig } from './logging.config.js';

/** Nest's levels from the most to the least verbose. */
const LEVELS_BY_VERBOSITY: readonly LogLevel[] = [
  'verbose',
  'debug',
  'log',
  'warn',
  'error',
  'fatal',
];

export function logLevelsFrom(level: LoggingConfig['level']): LogLevel[] {
  return LEVELS_BY_VERBOSITY.slice(LEVELS_BY_VERBOSITY.indexOf(level));
}

/** Readable lines in development, one JSON object per line in production. */
export function createAppLogger(config: LoggingConfig): ConsoleLogger {
  return new ConsoleLogger({
    json: config.json,
    colors: config.json ? false : undefined,
    logLevels: logLevelsFrom(config.level),
  });
}
