import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Observable } from 'rxjs';
import type { AuthenticatedUser } from '../common/authenticated-user.js';
import { ALLOW_LEGACY_TOKEN_SOURCES } from '../common/legacy-token.decorator.js';
import { IS_PUBLIC_KEY } from '../common/public.decorator.js';
import type { RequestWithTokenSources } from './jwt.strategy.js';

/** What passport-jwt reports when it rejects a token before validate() runs. */
function messageFor(info: unknown): string {
  const name = (info as { name?: unknown } | undefined)?.name;
  if (name === 'TokenExpiredError') return 'Token expired';
  if (name === 'JsonWebTokenError' || name === 'NotBeforeError') return 'Invalid token';
  return 'Authentication required';
}

/** Global guard: every route needs a valid token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(
    context: ExecutionContext,
  ): boolean | Promise<boolean> | Observable<boolean> {
    // Sockets are authenticated once, at the handshake (SignalingGateway).
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<RequestWithTokenSources>();
    request.allowLegacyTokenSources =
      this.reflector.getAllAndOverride<boolean>(ALLOW_LEGACY_TOKEN_SOURCES, targets) === true;
    return super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    // Errors from validate() (401s, or a database failure that becomes 503) pass through as they are.
    // (Not `instanceof Error`: errors from Node's own modules may belong to another realm.)
    if (error) throw error as Error;
    if (!user) throw new UnauthorizedException(messageFor(info));
    return user;
  }
}
