import type { NextFunction, Request, Response } from 'express';
import { accessTokenFrom } from '../auth/access-token.service.js';

/**
 * The original client never sends an Authorization header: its token travels in the JSON
 * body's `token` field or the `token` query parameter. On the compatibility routes only, such
 * a token is lifted into `Authorization: Bearer <token>`, so the one token check applies as
 * for any other route. A real Authorization header wins.
 */
export function liftLegacyToken(request: Request, _response: Response, next: NextFunction): void {
  if (request.headers.authorization === undefined) {
    const token = accessTokenFrom({
      fields: [(request.body as { token?: unknown } | undefined)?.token, request.query.token],
    });
    if (token !== undefined) request.headers.authorization = `Bearer ${token}`;
  }
  next();
}
