/** A limit of `limit` events per `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When the caller may try again (0 when allowed). */
  retryAfterMs: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Shared by every allowed decision, so the common case allocates nothing. */
const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterMs: 0 });

/**
 * Counts events per key in fixed windows (`limit` per `windowMs`): the one rate-limit
 * mechanism, for sign-in attempts per address and for each socket's events. In memory, per
 * process; the number of keys is bounded so a flood of distinct keys cannot exhaust memory.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly policy: RateLimit,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one event for `key` and says whether it is within the limit. */
  consume(key: string, now = Date.now()): RateDecision {
    const window = this.current(key, now);
    window.count += 1;
    return this.decide(window, now);
  }

  /** Whether one more event would be within the limit, without counting it. */
  check(key: string, now = Date.now()): RateDecision {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now || window.count < this.policy.limit) return ALLOWED;
    return { allowed: false, retryAfterMs: window.resetAt - now };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private decide(window: Window, now: number): RateDecision {
    return window.count <= this.policy.limit
      ? ALLOWED
      : { allowed: false, retryAfterMs: window.resetAt - now };
  }

  private current(key: string, now: number): Window {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      window = { count: 0, resetAt: now + this.policy.windowMs };
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) this.evict(now);
    }
    return window;
  }

  /** Drops expired windows, then the oldest ones, until under the bound. */
  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(key);
    }
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}
