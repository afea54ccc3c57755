import type { Request } from 'express';

/** Express request with the id assigned by RequestContextMiddleware. */
export interface RequestWithContext extends Request {
  requestId?: string;
}

export const REQUEST_ID_HEADER = 'X-Request-Id';
