import { FixedWindowRateLimiter } from './rate-limiter.js';

describe('FixedWindowRateLimiter', () => {
  it('allows `limit` events per window, then says when to retry', () => {
    const limiter = new FixedWindowRateLimiter({ limit: 3, windowMs: 1000 });
    const t0 = 10_000;
    expect([1, 2, 3].map(() => limiter.consume('a', t0).allowed)).toEqual([true, true, true]);
    expect(limiter.consume('a', t0 + 400)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(limiter.consume('b', t0 + 400).allowed).toBe(true);
    expect(limiter.consume('a', t0 + 1000).allowed).toBe(true);
  });

  it('checks without counting, and can be reset', () => {
    const limiter = new FixedWindowRateLimiter({ limit: 1, windowMs: 1000 });
    expect(limiter.check('k', 0).allowed).toBe(true);
    limiter.consume('k', 0);
    expect(limiter.check('k', 10)).toEqual({ allowed: false, retryAfterMs: 990 });
    limiter.reset('k');
    expect(limiter.check('k', 10).allowed).toBe(true);
  });

  it('keeps a bounded number of keys', () => {
    const limiter = new FixedWindowRateLimiter({ limit: 1, windowMs: 60_000 }, 100);
    for (let i = 0; i < 1000; i++) limiter.consume(`key${i}`, 0);
    expect(limiter.check('key999', 1).allowed).toBe(false);
    expect(limiter.check('key0', 1).allowed).toBe(true); // evicted long ago
  });
});
