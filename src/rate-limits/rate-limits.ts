import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ThrottledLog } from '../common/throttled-log.js';
import { ConfigService } from '@nestjs/config';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createRedisClient, waitUntilReady } from '../common/redis-client.js';
import type { AppConfig } from '../config/configuration.js';
import { KeyedLimiter } from './keyed-limiter.js';
import type { RateLimit } from './rate-limit.js';

/**
 * The longest a rate-limit decision waits for Redis. Past it (or at once while Redis is
 * unreachable) the decision is made in this instance's memory instead: a Redis outage slows
 * no request by more than this and never fails one.
 */
export const REDIS_DECISION_TIMEOUT_MS = 500;

/** How long start-up waits for the Redis connection before serving from memory meanwhile. */
const REDIS_STARTUP_WAIT_MS = 2_000;

/** How this connection's errors are logged: `<role>: <error>`, then `<role>: connection restored`. */
export const RATE_LIMITS_REDIS_ROLE =
  'rate limits (each instance counts in its own memory meanwhile)';

/**
 * Builds the app's rate limiters, all from rate-limiter-flexible (fixed windows per key):
 * - `shared`: one budget for the whole cluster. With REDIS_URL, counted in Redis (an atomic
 *   Lua script per decision) on a connection of its own that never queues commands while
 *   disconnected and gives each one REDIS_DECISION_TIMEOUT_MS; while Redis is unavailable each
 *   instance counts in its own memory (the library's insurance limiter). Without REDIS_URL, in
 *   memory.
 * - `local`: always this process's memory, for keys that live on one instance (a socket id): a
 *   Redis round trip per relayed signal would cost the relay its throughput.
 * Keys in Redis are `<REDIS_PREFIX>rl:<limiter name>:<key>`, and expire with their window.
 */
@Injectable()
export class RateLimits implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: Redis | undefined;
  private readonly keyPrefix: string;

  constructor(config: ConfigService<AppConfig, true>) {
    const redis = config.get('redis', { infer: true });
    this.keyPrefix = `${redis?.keyPrefix ?? ''}rl:`;
    this.redis = redis ? this.connect(redis.url) : undefined;
  }

  /** A limit with one budget across every instance (Redis when configured). */
  shared(name: string, limit: RateLimit): KeyedLimiter {
    const memory = this.memory(name, limit);
    if (!this.redis) return new KeyedLimiter(memory, this.reportStoreError);
    const redis = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${this.keyPrefix}${name}`,
      points: limit.limit,
      duration: windowSeconds(limit),
      // Not connected: decide in memory at once rather than fail the command.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
    return new KeyedLimiter(redis, this.reportStoreError);
  }

  /** A limit counted in this process's memory only, for keys that live on this instance. */
  local(name: string, limit: RateLimit): KeyedLimiter {
    return new KeyedLimiter(this.memory(name, limit), this.reportStoreError);
  }

  /**
   * Waits for the Redis connection (at most REDIS_STARTUP_WAIT_MS), so the first requests are
   * counted for the cluster rather than in memory.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis) await waitUntilReady(this.redis, REDIS_STARTUP_WAIT_MS);
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  private memory(name: string, limit: RateLimit): RateLimiterMemory {
    return new RateLimiterMemory({
      keyPrefix: name,
      points: limit.limit,
      duration: windowSeconds(limit),
    });
  }

  private connect(url: string): Redis {
    // Errors are logged throttled (createRedisClient), never thrown. A command sent while
    // disconnected fails at once (and memory decides) instead of waiting for the connection;
    // one that Redis does not answer in time fails too, and is never sent again later.
    return createRedisClient(url, RATE_LIMITS_REDIS_ROLE, {
      enableOfflineQueue: false,
      commandTimeout: REDIS_DECISION_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
  }

  private readonly storeErrors = new ThrottledLog(this.logger);

  private readonly reportStoreError = (error: unknown): void => {
    this.storeErrors.warn(`rate limit store failed: ${String((error as Error | null)?.message)}`);
  };
}

/** The library counts whole seconds (Redis EXPIRE); a window is at least one. */
function windowSeconds(limit: RateLimit): number {
  return Math.max(1, Math.ceil(limit.windowMs / 1000));
}
