import type { NextFunction, Request, Response } from 'express';

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The original client never sends an Authorization header: its token travels in the JSON
 * body's `token` field or the `token` query parameter. On the compatibility routes only, such
 * a token is lifted into `Authorization: Bearer <token>`, so the one token check applies as
 * for any other route. A real Authorization header wins.
 */
export function liftLegacyToken(request: Request, _response: Response, next: NextFunction): void {
  if (request.headers.authorization === undefined) {
    const token =
      nonEmptyString((request.body as { token?: unknown } | undefined)?.token) ??
      nonEmptyString(request.query.token);
    if (token !== undefined) request.headers.authorization = `Bearer ${token}`;
  }
  next();
}
