import { randomBytes } from 'node:crypto';
import type { RateLimit } from '../rate-limits/rate-limit.js';
import {
  ConfigurationError,
  type Environment,
  type NodeEnvironment,
  readDuration,
  readInteger,
  readRaw,
} from '../config/env-readers.js';

export interface AuthConfig {
  jwtSecret: string;
  /** True when no JWT_SECRET was given and a per-process secret was generated. */
  jwtSecretGenerated: boolean;
  /** Access-token lifetime in seconds. */
  jwtExpiresInSeconds: number;
  bcryptRounds: number;
}

export interface AuthRateLimitConfig {
  /** Requests per client address to register and login (generous: offices share addresses). */
  authPerAddress: RateLimit;
  /** Failed logins per username and client address (brute force). */
  loginFailures: RateLimit;
}

/** Secrets that appear in docs and examples; never acceptable in production. */
const PLACEHOLDER_SECRETS = new Set(['change-me', 'changeme', 'secret', 'your_jwt_secret_key']);
const MIN_PRODUCTION_SECRET_LENGTH = 32;
/** Access tokens live from 1 s to 365 days (their expiry must be a date sessions can store). */
export const JWT_EXPIRES_IN_BOUNDS = { min: 1, max: 365 * 86400 };
/** Failed logins are counted over 1 s to 24 h. */
export const LOGIN_FAILURE_WINDOW_BOUNDS = { min: 1, max: 86400 };

/** JWT_SECRET (required and strong in production), JWT_EXPIRES_IN, BCRYPT_ROUNDS. */
export function readAuthConfig(env: Environment, nodeEnv: NodeEnvironment): AuthConfig {
  const secret = readRaw(env, 'JWT_SECRET');
  if (nodeEnv === 'production') {
    if (secret === undefined) {
      throw new ConfigurationError('JWT_SECRET', 'is required when NODE_ENV=production');
    }
    if (
      PLACEHOLDER_SECRETS.has(secret.toLowerCase()) ||
      secret.length < MIN_PRODUCTION_SECRET_LENGTH
    ) {
      throw new ConfigurationError(
        'JWT_SECRET',
        `must be a random value of at least ${MIN_PRODUCTION_SECRET_LENGTH} characters in production (not a placeholder)`,
      );
    }
  }
  const jwtExpiresInSeconds = readDuration(env, 'JWT_EXPIRES_IN', 7 * 86400, JWT_EXPIRES_IN_BOUNDS);
  const bcryptRounds = readInteger(env, 'BCRYPT_ROUNDS', 10, 4, 15);
  if (nodeEnv === 'production' && bcryptRounds < 10) {
    throw new ConfigurationError('BCRYPT_ROUNDS', 'must be at least 10 when NODE_ENV=production');
  }
  return {
    jwtSecret: secret ?? randomBytes(32).toString('base64url'),
    jwtSecretGenerated: secret === undefined,
    jwtExpiresInSeconds,
    bcryptRounds,
  };
}

/** RATE_LIMIT_AUTH_PER_MINUTE, RATE_LIMIT_LOGIN_FAILURES, RATE_LIMIT_LOGIN_FAILURE_WINDOW. */
export function readAuthRateLimits(env: Environment): AuthRateLimitConfig {
  return {
    authPerAddress: {
      limit: readInteger(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 60, 1, 1_000_000),
      windowMs: 60_000,
    },
    loginFailures: {
      limit: readInteger(env, 'RATE_LIMIT_LOGIN_FAILURES', 10, 1, 1_000_000),
      windowMs:
        readDuration(env, 'RATE_LIMIT_LOGIN_FAILURE_WINDOW', 15 * 60, LOGIN_FAILURE_WINDOW_BOUNDS) *
        1000,
    },
  };
}
