import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { tokenFailureMessage } from './access-token.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY } from './public.decorator.js';

/**
 * Global guard: every route needs a valid token unless marked @Public(); @OptionalAuth()
 * routes let anonymous callers through but check any token presented.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(
    context: ExecutionContext,
  ): boolean | Promise<boolean> | Observable<boolean> {
    // Sockets are authenticated once, at the handshake, with the same token check.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const anonymous =
      context.switchToHttp().getRequest<Request>().headers.authorization === undefined;
    if (anonymous && this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH_KEY, targets)) {
      return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    // Errors from the token check (401s, or a database failure that becomes 503) pass through.
    // (Not `instanceof Error`: errors from Node's own modules may belong to another realm.)
    if (error) throw error as Error;
    if (!user) throw new UnauthorizedException(tokenFailureMessage(info));
    return user;
  }
}
