import {
  ConfigurationError,
  type Environment,
  type NodeEnvironment,
  parseByteSize,
  quoted,
  readInteger,
  readRaw,
} from '../config/env-readers.js';

export interface HttpConfig {
  port: number;
  /** Express "trust proxy": how client addresses are read behind a reverse proxy. */
  trustProxy: boolean | number | string;
  /** Origins allowed by CORS; `true` reflects any origin (development default). */
  corsOrigins: string[] | true;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
}

/** The port the existing client expects. */
export const DEFAULT_PORT = 8000;

function readTrustProxy(env: Environment): boolean | number | string {
  const value = readRaw(env, 'TRUST_PROXY');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^[\w.:/, -]+$/.test(value)) return value; // loopback, uniquelocal, CIDR lists
  throw new ConfigurationError(
    'TRUST_PROXY',
    `must be false, true, a hop count, or addresses/subnets such as loopback (got ${quoted(value)})`,
  );
}

function readCorsOrigins(env: Environment, nodeEnv: NodeEnvironment): string[] | true {
  const value = readRaw(env, 'CORS_ORIGINS');
  if (value === undefined || value === '*') {
    // Production without a list: same-origin only (no cross-origin browser access).
    return nodeEnv === 'production' && value === undefined ? [] : true;
  }
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new ConfigurationError(
        'CORS_ORIGINS',
        `must be a comma-separated list of origins such as https://app.example.com (got ${quoted(origin)})`,
      );
    }
  }
  return origins;
}

function readBodyLimit(env: Environment): number {
  const value = readRaw(env, 'BODY_LIMIT');
  const bytes = value === undefined ? 40 * 1024 : parseByteSize(value);
  if (bytes === undefined || bytes < 1 || bytes > 100 * 1024 * 1024) {
    throw new ConfigurationError(
      'BODY_LIMIT',
      `must be a size from 1b to 100mb such as 40kb or 1mb (got ${quoted(value ?? '')})`,
    );
  }
  return bytes;
}

/** PORT, TRUST_PROXY, CORS_ORIGINS, BODY_LIMIT. */
export function readHttpConfig(env: Environment, nodeEnv: NodeEnvironment): HttpConfig {
  return {
    port: readInteger(env, 'PORT', DEFAULT_PORT, 0, 65535),
    trustProxy: readTrustProxy(env),
    corsOrigins: readCorsOrigins(env, nodeEnv),
    bodyLimitBytes: readBodyLimit(env),
  };
}
