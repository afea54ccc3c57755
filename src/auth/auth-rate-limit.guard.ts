import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthService } from './auth.service.js';

/** Per client address (IPv6: per /64) limit on register and login (RATE_LIMIT_AUTH_PER_MINUTE). */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await this.auth.countAuthAttempt(request.ip ?? request.socket.remoteAddress ?? 'unknown');
    return true;
  }
}
