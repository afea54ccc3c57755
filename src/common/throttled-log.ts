import type { Logger } from '@nestjs/common';

/**
 * A warning that may repeat many times a second (a Redis outage, a database that is down):
 * logged at once the first time, then at most once per `intervalMs` with how many were
 * suppressed in between, so an outage cannot flood the logs.
 */
export class ThrottledLog {
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(message: string, now = Date.now()): void {
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const repeats = this.suppressed > 0 ? ` (and ${this.suppressed} more since the last one)` : '';
    this.lastAt = now;
    this.suppressed = 0;
    this.logger.warn(`${message}${repeats}`);
  }
}
