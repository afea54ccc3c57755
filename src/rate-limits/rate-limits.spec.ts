import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/configuration.js';
import { RateLimits } from './rate-limits.js';

/** RateLimits without REDIS_URL: everything in this process's memory. */
function inMemory(): RateLimits {
  const config = { get: () => undefined } as unknown as ConfigService<AppConfig, true>;
  return new RateLimits(config);
}

describe('RateLimits in memory (no REDIS_URL)', () => {
  it.each(['shared', 'local'] as const)(
    '%s: allows `limit` events per key and window, then says when to retry',
    async (kind) => {
      const limiter = inMemory()[kind]('spec', { limit: 3, windowMs: 60_000 });
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('a'));
      expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
      expect(decisions[3].retryAfterMs).toBeGreaterThan(59_000);
      expect(decisions[3].retryAfterMs).toBeLessThanOrEqual(60_000);
      expect((await limiter.consume('b')).allowed).toBe(true);
    },
  );

  it('counts events made at once exactly (no check-then-count race)', async () => {
    const limiter = inMemory().shared('spec', { limit: 10, windowMs: 60_000 });
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.consume('k')));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
  });

  it('gives back a refunded event, and forgets a reset key', async () => {
    const limiter = inMemory().shared('spec', { limit: 1, windowMs: 60_000 });
    expect((await limiter.consume('k')).allowed).toBe(true);
    await limiter.refund('k');
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect((await limiter.consume('k')).allowed).toBe(false);
    await limiter.reset('k');
    expect((await limiter.consume('k')).allowed).toBe(true);
  });

  it('keeps limiters of different names apart', async () => {
    const limits = inMemory();
    const one = limits.shared('one', { limit: 1, windowMs: 60_000 });
    const two = limits.shared('two', { limit: 1, windowMs: 60_000 });
    expect((await one.consume('k')).allowed).toBe(true);
    expect((await two.consume('k')).allowed).toBe(true);
    expect((await one.consume('k')).allowed).toBe(false);
  });
});
