import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { nestsDeeperThan } from './nesting.js';

/**
 * How deeply objects and arrays may nest in a request body. No route takes more than two
 * levels; class-transformer walks a body recursively and overflows the stack somewhere past
 * a thousand, which would otherwise answer 500.
 */
export const MAX_BODY_DEPTH = 32;

export const BODY_TOO_DEEP_MESSAGE = 'Request body is nested too deeply';

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
