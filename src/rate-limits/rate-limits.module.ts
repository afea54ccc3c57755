import { Module } from '@nestjs/common';
import { RateLimits } from './rate-limits.js';

/** One RateLimits (and so one Redis connection for rate limits) for the whole application. */
@Module({
  providers: [RateLimits],
  exports: [RateLimits],
})
export class RateLimitsModule {}
