import { createParamDecorator, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { AuthenticatedUser, RequestWithUser } from './authenticated-user.js';

/**
 * The caller as established by the global guard. Required by default (401 without one); with
 * `{ optional: true }`, on an `@OptionalAuth()` route, undefined for anonymous callers.
 */
export const CurrentUser = createParamDecorator(
  (
    options: { optional?: boolean } | undefined,
    context: ExecutionContext,
  ): AuthenticatedUser | undefined => {
    const user = context.switchToHttp().getRequest<RequestWithUser>().user;
    if (!user && !options?.optional) throw new UnauthorizedException('Authentication required');
    return user;
  },
);
