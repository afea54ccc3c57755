import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthService } from './auth.service.js';

/** Per client address limit on register and login (RATE_LIMIT_AUTH_PER_MINUTE). */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    this.auth.countAuthAttempt(request.ip ?? 'unknown');
    return true;
  }
}
