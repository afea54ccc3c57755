import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateDecision } from './rate-limit.js';

/** Shared by every allowed decision, so the common case allocates nothing of its own. */
const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterMs: 0 });

const allow = (): RateDecision => ALLOWED;

/**
 * One limit over many keys (a rate-limiter-flexible limiter, in memory or in Redis), with
 * answers instead of rejections: `consume` never rejects. A refusal comes from the library as
 * a RateLimiterRes; anything else is a failure of the store, reported and answered "allowed",
 * so a broken store never locks everyone out (Redis-backed limiters fall back to memory
 * before that; see RateLimits).
 */
export class KeyedLimiter {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly onStoreError: (error: unknown) => void,
  ) {}

  /** Counts one event for `key` and says whether it is within the limit. */
  consume(key: string): Promise<RateDecision> {
    return this.limiter.consume(key).then(allow, this.refusal);
  }

  /** Gives back one event counted by `consume` that turned out not to count. */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key).catch(this.onStoreError);
  }

  /** Forgets `key`: its next event starts a new window. */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(key).catch(this.onStoreError);
  }

  private readonly refusal = (rejection: unknown): RateDecision => {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterMs: Math.max(1, rejection.msBeforeNext) };
    }
    this.onStoreError(rejection);
    return ALLOWED;
  };
}
