import { randomBytes } from 'node:crypto';
import type { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import type { AppConfig } from '../../src/config/configuration.js';
import type { RedisConfig } from '../../src/signaling/signaling.config.js';
import { REDIS_DECISION_TIMEOUT_MS, RateLimits } from '../../src/rate-limits/rate-limits.js';
import { RedisProcess } from '../support/redis-process.js';
import { closedPort } from '../support/test-app.js';

const LIMIT = { limit: 5, windowMs: 60_000 };

/** A RateLimits as one instance of the app builds it with REDIS_URL=`url`. */
function rateLimitsOn(url: string, keyPrefix: string): RateLimits {
  const redis: RedisConfig = { url, keyPrefix, heartbeatMs: 5_000, deadAfterMs: 20_000 };
  const config = { get: () => redis } as unknown as ConfigService<AppConfig, true>;
  return new RateLimits(config);
}

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work;
  return [result, performance.now() - started];
}

describe('RateLimits on Redis', () => {
  let redis: RedisProcess;
  /** Looks at what the limiters wrote. */
  let inspector: Redis;
  const instances: RateLimits[] = [];

  /** As Nest starts it: connected to Redis (or given up on it) before the first decision. */
  async function instance(url = redis.url, prefix = 'rl-spec:'): Promise<RateLimits> {
    const limits = rateLimitsOn(url, prefix);
    instances.push(limits);
    await limits.onModuleInit();
    return limits;
  }

  beforeAll(async () => {
    // A Redis of the suite's own: it is paused below, which must never happen to a shared one.
    redis = await RedisProcess.start();
    inspector = new Redis(redis.url);
  });

  afterAll(async () => {
    for (const limits of instances) limits.onApplicationShutdown();
    inspector.disconnect();
    await redis.stop();
  });

  it('gives instances that share a Redis one budget, counted atomically', async () => {
    const prefix = `rl-${randomBytes(3).toString('hex')}:`;
    const a = (await instance(redis.url, prefix)).shared('auth', LIMIT);
    const b = (await instance(redis.url, prefix)).shared('auth', LIMIT);
    const alternating = [];
    for (let i = 0; i < 6; i++) alternating.push((await (i % 2 ? b : a).consume('k')).allowed);
    expect(alternating).toEqual([true, true, true, true, true, false]);
    expect(await inspector.get(`${prefix}rl:auth:k`)).toBe('6');
    expect(await inspector.pttl(`${prefix}rl:auth:k`)).toBeGreaterThan(55_000);

    const atOnce = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).consume('parallel')),
    );
    expect(atOnce.filter((decision) => decision.allowed)).toHaveLength(5);
    const refused = atOnce.find((decision) => !decision.allowed);
    expect(refused?.retryAfterMs).toBeGreaterThan(55_000);

    await a.reset('k');
    expect((await b.consume('k')).allowed).toBe(true);
    await b.refund('k');
    expect(await inspector.get(`${prefix}rl:auth:k`)).toBe('0');
  });

  it('keeps local limits out of Redis', async () => {
    const prefix = `rl-${randomBytes(3).toString('hex')}:`;
    const local = (await instance(redis.url, prefix)).local('socket-signals', LIMIT);
    for (let i = 0; i < 6; i++) await local.consume('socket');
    expect(await inspector.keys(`${prefix}*`)).toEqual([]);
  });

  it('decides in memory at once while Redis is unreachable', async () => {
    const unreachable = `redis://127.0.0.1:${await closedPort()}`;
    const limiter = (await instance(unreachable)).shared('auth', LIMIT);
    const decisions = [];
    for (let i = 0; i < 6; i++) {
      const [decision, ms] = await timed(limiter.consume('k'));
      expect(ms).toBeLessThan(REDIS_DECISION_TIMEOUT_MS);
      decisions.push(decision.allowed);
    }
    // Still limited, by this instance's memory.
    expect(decisions).toEqual([true, true, true, true, true, false]);
  });

  it('decides in memory within REDIS_DECISION_TIMEOUT_MS when Redis does not answer', async () => {
    const prefix = `rl-${randomBytes(3).toString('hex')}:`;
    const limiter = (await instance(redis.url, prefix)).shared('auth', LIMIT);
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect(await inspector.get(`${prefix}rl:auth:k`)).toBe('1');
    await inspector.call('CLIENT', 'PAUSE', '2000', 'ALL');
    const [decision, ms] = await timed(limiter.consume('k'));
    expect(decision.allowed).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(REDIS_DECISION_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(REDIS_DECISION_TIMEOUT_MS + 1_000);
  });
});
