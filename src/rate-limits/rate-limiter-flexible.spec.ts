import { execFileSync } from 'node:child_process';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * rate-limiter-flexible is a CommonJS package with no dependencies. This app is ESM-only (Nest
 * 12) and Jest runs in native ESM mode: the package's named exports must load in both.
 */
describe('rate-limiter-flexible under ESM', () => {
  it("loads with named imports in Jest's ESM mode, and limits", async () => {
    expect(typeof RateLimiterRedis).toBe('function');
    const limiter = new RateLimiterMemory({ points: 2, duration: 60, keyPrefix: 'spec' });
    await limiter.consume('k');
    await limiter.consume('k');
    const refused: unknown = await limiter.consume('k').catch((rejection: unknown) => rejection);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(59_000);
  });

  it('loads with named imports under plain Node ESM (as dist/main.js runs)', () => {
    const script = `
      import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
      const limiter = new RateLimiterMemory({ points: 1, duration: 1 });
      const first = await limiter.consume('k');
      const second = await limiter.consume('k').catch((res) => res);
      console.log(JSON.stringify([typeof RateLimiterRedis, first.remainingPoints, second.consumedPoints]));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual(['function', 0, 2]);
  });
});
