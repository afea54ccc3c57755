import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * How deeply objects and arrays may nest in a request body. No route takes more than two
 * levels; class-transformer walks a body recursively and overflows the stack somewhere past
 * a thousand, which would otherwise answer 500.
 */
export const MAX_BODY_DEPTH = 32;

export const BODY_TOO_DEEP_MESSAGE = 'Request body is nested too deeply';

/**
 * Whether objects and arrays in `value` nest more than `limit` levels (`{}` and `[]` are one
 * level, a scalar none). Iterative, so it cannot overflow the stack however deep the value is;
 * it stops at the first container past the limit.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const container = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    for (const child of Object.values(container) as unknown[]) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * Runs right after the body parsers, before any route, guard or pipe: a body nested deeper
 * than MAX_BODY_DEPTH is answered 400 with the envelope before validation sees it.
 */
export function rejectDeeplyNestedBodies(
  limit = MAX_BODY_DEPTH,
): (request: Request, response: Response, next: NextFunction) => void {
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (nestsDeeperThan(request.body, limit)) {
      next(new BadRequestException(BODY_TOO_DEEP_MESSAGE));
      return;
    }
    next();
  };
}
