import { type Environment, type NodeEnvironment, readChoice } from '../config/env-readers.js';

export type LogLevelName = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

export interface LoggingConfig {
  level: LogLevelName;
  /** One JSON object per line (production) instead of readable lines. */
  json: boolean;
}

const LOG_LEVELS: readonly LogLevelName[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** LOG_LEVEL; production logs JSON lines. */
export function readLoggingConfig(env: Environment, nodeEnv: NodeEnvironment): LoggingConfig {
  return {
    level: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'production' ? 'log' : 'debug', {
      info: 'log',
      warning: 'warn',
      trace: 'verbose',
    }),
    json: nodeEnv === 'production',
  };
}
