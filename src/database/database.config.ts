import {
  ConfigurationError,
  type Environment,
  type NodeEnvironment,
  readInteger,
  readRaw,
} from '../config/env-readers.js';

export interface EmbeddedDatabaseConfig {
  /** Journal directory; null keeps the embedded database in memory. */
  dataDir: string | null;
  /** 0 picks any free port. */
  port: number;
  /** How often TTL indexes are swept. */
  ttlSweepIntervalMs: number;
}

export interface DatabaseConfig {
  /** MongoDB to connect to; undefined means "start the embedded database". */
  uri: string | undefined;
  embedded: EmbeddedDatabaseConfig;
}

export const DEFAULT_DATA_DIR = './data';
/** DATA_DIR value that keeps the embedded database in memory only. */
export const IN_MEMORY_DATA_DIR = ':memory:';

/** DB_URI (required in production), and DATA_DIR, EMBEDDED_DB_* for the embedded engine. */
export function readDatabaseConfig(env: Environment, nodeEnv: NodeEnvironment): DatabaseConfig {
  const uri = readRaw(env, 'DB_URI');
  if (uri !== undefined && !/^mongodb(\+srv)?:\/\/\S+$/.test(uri)) {
    throw new ConfigurationError(
      'DB_URI',
      'must be a MongoDB connection string starting with mongodb:// or mongodb+srv://',
    );
  }
  if (uri === undefined && nodeEnv === 'production') {
    throw new ConfigurationError(
      'DB_URI',
      'is required when NODE_ENV=production (the embedded database is for development and tests)',
    );
  }
  const dataDir = readRaw(env, 'DATA_DIR') ?? DEFAULT_DATA_DIR;
  return {
    uri,
    embedded: {
      dataDir: dataDir === IN_MEMORY_DATA_DIR ? null : dataDir,
      port: readInteger(env, 'EMBEDDED_DB_PORT', 0, 0, 65535),
      ttlSweepIntervalMs: readInteger(env, 'EMBEDDED_DB_TTL_SWEEP_SECONDS', 60, 1, 86400) * 1000,
    },
  };
}
