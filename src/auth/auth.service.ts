import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RateLimitedException } from '../common/rate-limited.exception.js';
import type { AppConfig } from '../config/configuration.js';
import { addressKey } from '../rate-limits/address-key.js';
import type { KeyedLimiter } from '../rate-limits/keyed-limiter.js';
import { RateLimits } from '../rate-limits/rate-limits.js';
import type { UserProfileDto } from '../users/dto/user-profile.dto.js';
import { type NewUser, usernameKeyOf, UsersService } from '../users/users.service.js';
import { AccessTokenService, type IssuedToken } from './access-token.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { SessionEvents } from './session-events.js';
import { SessionsRepository } from './sessions.repository.js';

/** Sign-up, sign-in (brute-force limited) and sign-out. */
@Injectable()
export class AuthService {
  /** Login attempts per username and address; only failures keep their count. */
  private readonly loginFailures: KeyedLimiter;
  /** Register and login requests per address, on every route and instance that serves them. */
  private readonly authAttempts: KeyedLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly tokens: AccessTokenService,
    private readonly sessionEvents: SessionEvents,
    rateLimits: RateLimits,
    config: ConfigService<AppConfig, true>,
  ) {
    const limits = config.get('rateLimits', { infer: true });
    this.loginFailures = rateLimits.shared('login-failures', limits.loginFailures);
    this.authAttempts = rateLimits.shared('auth', limits.authPerAddress);
  }

  /** Counts a register/login request from `clientAddress`; throws 429 beyond the limit. */
  async countAuthAttempt(clientAddress: string): Promise<void> {
    const decision = await this.authAttempts.consume(addressKey(clientAddress));
    if (!decision.allowed) throw new RateLimitedException(decision.retryAfterMs);
  }

  register(input: NewUser): Promise<UserProfileDto> {
    return this.users.create(input);
  }

  /**
   * Checks the password (brute-force limited per username and address) and issues a token.
   * Every attempt is counted before the password is compared, so guesses sent at once cannot
   * exceed the limit. A success gives the count back (the key is forgotten, as it always was
   * after a success); so does an attempt that could not be checked (database down).
   */
  async login(username: string, password: string, clientAddress: string): Promise<IssuedToken> {
    const limiterKey = `${usernameKeyOf(username)}|${addressKey(clientAddress)}`;
    const allowance = await this.loginFailures.consume(limiterKey);
    if (!allowance.allowed) {
      throw new RateLimitedException(
        allowance.retryAfterMs,
        'Too many failed sign-ins, try again later',
      );
    }
    let user: UserProfileDto | null;
    try {
      user = await this.users.verifyCredentials(username, password);
    } catch (error) {
      await this.loginFailures.refund(limiterKey);
      throw error;
    }
    if (!user) throw new UnauthorizedException('Invalid username or password');
    await this.loginFailures.reset(limiterKey);
    return this.tokens.issue(user);
  }

  /** Revokes the caller's token at once, and tells whoever holds connections for it. */
  async logout(user: AuthenticatedUser): Promise<void> {
    await this.sessions.revoke(user.jti);
    this.sessionEvents.revoked(user.jti);
  }
}
