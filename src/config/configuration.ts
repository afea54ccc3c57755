import {
  type AuthConfig,
  type AuthRateLimitConfig,
  readAuthConfig,
  readAuthRateLimits,
} from '../auth/auth.config.js';
import { type HttpConfig, readHttpConfig } from '../common/http.config.js';
import { type LoggingConfig, readLoggingConfig } from '../common/logging.config.js';
import { type DatabaseConfig, readDatabaseConfig } from '../database/database.config.js';
import { type MetricsConfig, readMetricsConfig } from '../metrics/metrics.config.js';
import {
  readRedisConfig,
  readSignalingConfig,
  type RedisConfig,
  type SignalingConfig,
} from '../signaling/signaling.config.js';
import { readWebhooksConfig, type WebhooksConfig } from '../webhooks/webhooks.config.js';
import { type Environment, type NodeEnvironment, readChoice } from './env-readers.js';

export { ConfigurationError, type Environment, type NodeEnvironment } from './env-readers.js';

/**
 * The whole validated configuration, read once at start-up: one section per area, each
 * read by that area's own reader. Services get their section through
 * `ConfigService<AppConfig, true>` (`config.get('signaling', { infer: true })`).
 */
export interface AppConfig {
  nodeEnv: NodeEnvironment;
  http: HttpConfig;
  auth: AuthConfig;
  database: DatabaseConfig;
  rateLimits: AuthRateLimitConfig;
  signaling: SignalingConfig;
  /** Scale-out across instances; undefined: single process, in memory. */
  redis: RedisConfig | undefined;
  metrics: MetricsConfig;
  logging: LoggingConfig;
  webhooks: WebhooksConfig;
}

const NODE_ENVIRONMENTS: readonly NodeEnvironment[] = ['development', 'production', 'test'];

/**
 * Validates every variable once and returns the typed configuration.
 * Throws a ConfigurationError naming the first variable that cannot be used.
 */
export function loadConfiguration(env: Environment): AppConfig {
  const nodeEnv = readChoice(env, 'NODE_ENV', NODE_ENVIRONMENTS, 'development', {
    dev: 'development',
    prod: 'production',
  });
  return {
    nodeEnv,
    http: readHttpConfig(env, nodeEnv),
    auth: readAuthConfig(env, nodeEnv),
    database: readDatabaseConfig(env, nodeEnv),
    rateLimits: readAuthRateLimits(env),
    signaling: readSignalingConfig(env),
    redis: readRedisConfig(env),
    metrics: readMetricsConfig(env),
    logging: readLoggingConfig(env, nodeEnv),
    webhooks: readWebhooksConfig(env),
  };
}
