import { randomBytes } from 'node:crypto';

/** The environment as the process sees it: variable name → raw string value. */
export type Environment = Readonly<Record<string, string | undefined>>;

export type NodeEnvironment = 'development' | 'production' | 'test';
export type LogLevelName = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

export interface HttpConfig {
  port: number;
  /** Express "trust proxy": how client addresses are read behind a reverse proxy. */
  trustProxy: boolean | number | string;
  /** Origins allowed by CORS; `true` reflects any origin (development default). */
  corsOrigins: string[] | true;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
}

export interface AuthConfig {
  jwtSecret: string;
  /** True when no JWT_SECRET was given and a per-process secret was generated. */
  jwtSecretGenerated: boolean;
  /** Access-token lifetime in seconds. */
  jwtExpiresInSeconds: number;
  bcryptRounds: number;
}

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

/** A limit of `limit` events per `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimitConfig {
  /** Requests per client address to register and login (generous: offices share addresses). */
  authPerAddress: RateLimit;
  /** Failed logins per username and client address (brute force). */
  loginFailures: RateLimit;
}

export interface TurnConfig {
  urls: string[];
  secret: string;
  /** Lifetime of the time-limited credentials, in seconds. */
  ttlSeconds: number;
}

export interface SignalingConfig {
  allowGuests: boolean;
  maxParticipantsPerRoom: number;
  /** Largest Socket.IO message accepted, in bytes. */
  maxMessageBytes: number;
  chatRetentionSeconds: number;
  chatHistoryLimit: number;
  stunUrls: string[];
  /** TURN with coturn REST-API credentials, when TURN_URLS and TURN_SECRET are set. */
  turn: TurnConfig | undefined;
  /** Per-socket limits per event kind. */
  rateLimits: { joins: RateLimit; signals: RateLimit; chat: RateLimit; state: RateLimit };
}

export interface RedisConfig {
  url: string;
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  keyPrefix: string;
  /** How often this instance announces it is alive. */
  heartbeatMs: number;
  /** An instance silent this long is dead: its participants are removed. */
  deadAfterMs: number;
}

export interface MetricsConfig {
  enabled: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  token: string | undefined;
}

export interface LoggingConfig {
  level: LogLevelName;
  /** One JSON object per line (production) instead of readable lines. */
  json: boolean;
}

/** The whole validated configuration, read once at start-up. */
export interface AppConfig {
  nodeEnv: NodeEnvironment;
  http: HttpConfig;
  auth: AuthConfig;
  database: DatabaseConfig;
  rateLimits: RateLimitConfig;
  signaling: SignalingConfig;
  /** Scale-out across instances; undefined: single process, in memory. */
  redis: RedisConfig | undefined;
  metrics: MetricsConfig;
  logging: LoggingConfig;
}

/** A configuration value that cannot be used: names the variable and says what is wrong. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigurationError';
  }
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_DATA_DIR = './data';
/** DATA_DIR value that keeps the embedded database in memory only. */
export const IN_MEMORY_DATA_DIR = ':memory:';

const NODE_ENVIRONMENTS: readonly NodeEnvironment[] = ['development', 'production', 'test'];
const LOG_LEVELS: readonly LogLevelName[] = ['error', 'warn', 'log', 'debug', 'verbose'];
/** Secrets that appear in docs and examples; never acceptable in production. */
const PLACEHOLDER_SECRETS = new Set(['change-me', 'changeme', 'secret', 'your_jwt_secret_key']);
const MIN_PRODUCTION_SECRET_LENGTH = 32;

function raw(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function describe(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
}

function readInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigurationError(
      name,
      `must be an integer from ${min} to ${max} (got ${describe(value)})`,
    );
  }
  return parsed;
}

function readChoice<T extends string>(
  env: Environment,
  name: string,
  choices: readonly T[],
  fallback: T,
  aliases: Readonly<Record<string, T>> = {},
): T {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  const choice = choices.find((candidate) => candidate === value) ?? aliases[value];
  if (choice === undefined) {
    throw new ConfigurationError(
      name,
      `must be one of ${choices.join(', ')} (got ${describe(value)})`,
    );
  }
  return choice;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses `40kb`, `1mb`, `2048` (bytes). */
export function parseByteSize(value: string): number | undefined {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, amount, unit = 'b'] = match;
  return Number(amount) * (SIZE_UNITS[unit.toLowerCase()] ?? 1);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `3600` (seconds), `15m`, `12h`, `7d`. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, amount, unit = 's'] = match;
  const seconds = Number(amount) * (DURATION_UNITS[unit.toLowerCase()] ?? 1);
  return seconds > 0 ? seconds : undefined;
}

function readDuration(env: Environment, name: string, fallbackSeconds: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallbackSeconds;
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) {
    throw new ConfigurationError(
      name,
      `must be a positive duration such as 3600, 15m, 12h or 7d (got ${describe(value)})`,
    );
  }
  return seconds;
}

function readTrustProxy(env: Environment): boolean | number | string {
  const value = raw(env, 'TRUST_PROXY');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^[\w.:/, -]+$/.test(value)) return value; // loopback, uniquelocal, CIDR lists
  throw new ConfigurationError(
    'TRUST_PROXY',
    `must be false, true, a hop count, or addresses/subnets such as loopback (got ${describe(value)})`,
  );
}

function readBoolean(env: Environment, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigurationError(name, `must be true or false (got ${describe(value)})`);
}

function readUrlList(
  env: Environment,
  name: string,
  fallback: string[],
  schemes: string[],
): string[] {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    const scheme = url.split(':', 1)[0];
    if (!schemes.includes(scheme) || !/^[a-z]+:[^\s]+$/.test(url)) {
      throw new ConfigurationError(
        name,
        `must be a comma-separated list of ${schemes.join('/')} URLs such as ${schemes[0]}:host:3478 (got ${describe(url)})`,
      );
    }
  }
  return urls;
}

export const DEFAULT_STUN_URLS = ['stun:stun.l.google.com:19302'];

function readSignaling(env: Environment): SignalingConfig {
  const turnUrls = readUrlList(env, 'TURN_URLS', [], ['turn', 'turns']);
  const turnSecret = raw(env, 'TURN_SECRET');
  if (turnUrls.length > 0 && turnSecret === undefined) {
    throw new ConfigurationError('TURN_SECRET', 'is required when TURN_URLS is set');
  }
  const maxMessageBytes = parseByteSize(raw(env, 'SOCKET_MAX_MESSAGE_SIZE') ?? '256kb');
  if (
    maxMessageBytes === undefined ||
    maxMessageBytes < 70 * 1024 ||
    maxMessageBytes > 10 * 1024 * 1024
  ) {
    throw new ConfigurationError(
      'SOCKET_MAX_MESSAGE_SIZE',
      'must be a size from 70kb to 10mb (signal payloads may be 64 KB)',
    );
  }
  const perWindow = (name: string, fallback: number, windowMs: number): RateLimit => ({
    limit: readInteger(env, name, fallback, 1, 1_000_000),
    windowMs,
  });
  return {
    allowGuests: readBoolean(env, 'SIGNALING_ALLOW_GUESTS', true),
    maxParticipantsPerRoom: readInteger(env, 'ROOM_MAX_PARTICIPANTS', 16, 2, 1000),
    maxMessageBytes,
    chatRetentionSeconds: readDuration(env, 'CHAT_RETENTION', 24 * 3600),
    chatHistoryLimit: readInteger(env, 'CHAT_HISTORY_LIMIT', 100, 0, 1000),
    stunUrls: readUrlList(env, 'STUN_URLS', DEFAULT_STUN_URLS, ['stun', 'stuns']),
    turn:
      turnUrls.length > 0 && turnSecret !== undefined
        ? {
            urls: turnUrls,
            secret: turnSecret,
            ttlSeconds: readDuration(env, 'TURN_TTL', 24 * 3600),
          }
        : undefined,
    rateLimits: {
      joins: perWindow('RATE_LIMIT_SOCKET_JOINS', 30, 60_000),
      signals: perWindow('RATE_LIMIT_SOCKET_SIGNALS', 1000, 10_000),
      chat: perWindow('RATE_LIMIT_SOCKET_CHAT', 30, 10_000),
      state: perWindow('RATE_LIMIT_SOCKET_STATE', 100, 10_000),
    },
  };
}

function readRedis(env: Environment): RedisConfig | undefined {
  const url = raw(env, 'REDIS_URL');
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/\S+$/.test(url)) {
    throw new ConfigurationError(
      'REDIS_URL',
      'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    );
  }
  const heartbeatMs = readInteger(env, 'NODE_HEARTBEAT_SECONDS', 5, 1, 3600) * 1000;
  const deadAfterMs = readInteger(env, 'NODE_DEAD_AFTER_SECONDS', 20, 2, 86400) * 1000;
  if (deadAfterMs < heartbeatMs * 2) {
    throw new ConfigurationError(
      'NODE_DEAD_AFTER_SECONDS',
      'must be at least twice NODE_HEARTBEAT_SECONDS',
    );
  }
  const keyPrefix = raw(env, 'REDIS_PREFIX') ?? 'meet:';
  if (!/^[\w:.-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigurationError(
      'REDIS_PREFIX',
      'must be 1-64 letters, digits, ":", ".", "_" or "-"',
    );
  }
  return { url, keyPrefix, heartbeatMs, deadAfterMs };
}

function readCorsOrigins(env: Environment, nodeEnv: NodeEnvironment): string[] | true {
  const value = raw(env, 'CORS_ORIGINS');
  if (value === undefined || value === '*') {
    if (nodeEnv === 'production' && value === undefined) {
      // Production without a list: same-origin only (no cross-origin browser access).
      return [];
    }
    return true;
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
        `must be a comma-separated list of origins such as https://app.example.com (got ${describe(origin)})`,
      );
    }
  }
  return origins;
}

function readDatabase(env: Environment, nodeEnv: NodeEnvironment): DatabaseConfig {
  const uri = raw(env, 'DB_URI');
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
  const dataDir = raw(env, 'DATA_DIR') ?? DEFAULT_DATA_DIR;
  return {
    uri,
    embedded: {
      dataDir: dataDir === IN_MEMORY_DATA_DIR ? null : dataDir,
      port: readInteger(env, 'EMBEDDED_DB_PORT', 0, 0, 65535),
      ttlSweepIntervalMs: readInteger(env, 'EMBEDDED_DB_TTL_SWEEP_SECONDS', 60, 1, 86400) * 1000,
    },
  };
}

function readAuth(env: Environment, nodeEnv: NodeEnvironment): AuthConfig {
  const secret = raw(env, 'JWT_SECRET');
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

  const jwtExpiresInSeconds = readDuration(env, 'JWT_EXPIRES_IN', 7 * 86400);

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

/**
 * Validates every variable once and returns the typed configuration.
 * Throws a ConfigurationError naming the first variable that cannot be used.
 */
export function loadConfiguration(env: Environment): AppConfig {
  const nodeEnv = readChoice(env, 'NODE_ENV', NODE_ENVIRONMENTS, 'development', {
    dev: 'development',
    prod: 'production',
  });

  const bodyLimitRaw = raw(env, 'BODY_LIMIT');
  const bodyLimitBytes = bodyLimitRaw === undefined ? 40 * 1024 : parseByteSize(bodyLimitRaw);
  if (bodyLimitBytes === undefined || bodyLimitBytes < 1 || bodyLimitBytes > 100 * 1024 * 1024) {
    throw new ConfigurationError(
      'BODY_LIMIT',
      `must be a size from 1b to 100mb such as 40kb or 1mb (got ${describe(bodyLimitRaw ?? '')})`,
    );
  }

  return {
    nodeEnv,
    http: {
      port: readInteger(env, 'PORT', DEFAULT_PORT, 0, 65535),
      trustProxy: readTrustProxy(env),
      corsOrigins: readCorsOrigins(env, nodeEnv),
      bodyLimitBytes,
    },
    auth: readAuth(env, nodeEnv),
    database: readDatabase(env, nodeEnv),
    rateLimits: {
      authPerAddress: {
        limit: readInteger(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 60, 1, 1_000_000),
        windowMs: 60_000,
      },
      loginFailures: {
        limit: readInteger(env, 'RATE_LIMIT_LOGIN_FAILURES', 10, 1, 1_000_000),
        windowMs: readDuration(env, 'RATE_LIMIT_LOGIN_FAILURE_WINDOW', 15 * 60) * 1000,
      },
    },
    signaling: readSignaling(env),
    redis: readRedis(env),
    metrics: {
      enabled: readBoolean(env, 'METRICS_ENABLED', false),
      token: raw(env, 'METRICS_TOKEN'),
    },
    logging: {
      level: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'production' ? 'log' : 'debug', {
        info: 'log',
        warning: 'warn',
        trace: 'verbose',
      }),
      json: nodeEnv === 'production',
    },
  };
}
