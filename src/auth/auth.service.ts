import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RateLimitedException } from '../common/rate-limited.exception.js';
import { FixedWindowRateLimiter } from '../common/rate-limiter.js';
import type { AppConfig } from '../config/configuration.js';
import type { UserProfileDto } from '../users/dto/user-profile.dto.js';
import { type NewUser, usernameKeyOf, UsersService } from '../users/users.service.js';
import { AccessTokenService, type IssuedToken } from './access-token.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { SessionEvents } from './session-events.js';
import { SessionsRepository } from './sessions.repository.js';

/** Sign-up, sign-in (brute-force limited) and sign-out. */
@Injectable()
export class AuthService {
  private readonly loginFailures: FixedWindowRateLimiter;
  /** One limiter for every register and login route of this process, whoever serves it. */
  private readonly authAttempts: FixedWindowRateLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly tokens: AccessTokenService,
    private readonly sessionEvents: SessionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    const rateLimits = config.get('rateLimits', { infer: true });
    this.loginFailures = new FixedWindowRateLimiter(rateLimits.loginFailures);
    this.authAttempts = new FixedWindowRateLimiter(rateLimits.authPerAddress);
  }

  /** Counts a register/login request from `clientAddress`; throws 429 beyond the limit. */
  countAuthAttempt(clientAddress: string): void {
    const decision = this.authAttempts.consume(clientAddress);
    if (!decision.allowed) throw new RateLimitedException(decision.retryAfterMs);
  }

  register(input: NewUser): Promise<UserProfileDto> {
    return this.users.create(input);
  }

  /** Checks the password (brute-force limited per username and address) and issues a token. */
  async login(username: string, password: string, clientAddress: string): Promise<IssuedToken> {
    const limiterKey = `${usernameKeyOf(username)}|${clientAddress}`;
    const allowance = this.loginFailures.check(limiterKey);
    if (!allowance.allowed) {
      throw new RateLimitedException(
        allowance.retryAfterMs,
        'Too many failed sign-ins, try again later',
      );
    }
    const user = await this.users.verifyCredentials(username, password);
    if (!user) {
      this.loginFailures.consume(limiterKey);
      throw new UnauthorizedException('Invalid username or password');
    }
    this.loginFailures.reset(limiterKey);
    return this.tokens.issue(user);
  }

  /** Revokes the caller's token at once, and tells whoever holds connections for it. */
  async logout(user: AuthenticatedUser): Promise<void> {
    await this.sessions.revoke(user.jti);
    this.sessionEvents.revoked(user.jti);
  }
}
