import type { RateLimit } from '../config/configuration.js';

export type EventKind = 'joins' | 'signals' | 'chat' | 'state';

interface Window {
  count: number;
  resetAt: number;
}

/** Per-socket counters, one fixed window per event kind (a few numbers per socket). */
export class SocketRateLimits {
  private readonly windows: Partial<Record<EventKind, Window>> = {};

  constructor(private readonly limits: Readonly<Record<EventKind, RateLimit>>) {}

  /** Counts one event; false when the socket is over its limit for this kind. */
  allow(kind: EventKind, now = Date.now()): boolean {
    let window = this.windows[kind];
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.limits[kind].windowMs };
      this.windows[kind] = window;
    }
    window.count += 1;
    return window.count <= this.limits[kind].limit;
  }
}
