import { HttpException, HttpStatus } from '@nestjs/common';

/** 429, answered with a Retry-After header (seconds) by the global filter. */
export class RateLimitedException extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(retryAfterMs: number, message = 'Too many requests, try again later') {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}
