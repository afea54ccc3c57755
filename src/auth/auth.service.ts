import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import type { AuthenticatedUser } from '../common/authenticated-user.js';
import { RateLimitedException } from '../common/rate-limited.exception.js';
import { FixedWindowRateLimiter } from '../common/rate-limiter.js';
import type { AppConfig } from '../config/configuration.js';
import type { UserProfileDto } from '../users/dto/user-profile.dto.js';
import { type NewUser, usernameKeyOf, UsersService } from '../users/users.service.js';
import { SessionEvents } from './session-events.js';
import { SessionsService } from './sessions.service.js';

export const JWT_ALGORITHM = 'HS256';

/**
 * The HMAC key as a KeyObject, made once: given a string, jsonwebtoken first tries (and
 * fails) to parse it as a private key on every sign and verify.
 */
export function jwtSecretKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  user: UserProfileDto;
}

interface TokenPayload {
  sub: string;
  jti: string;
}

function isTokenPayload(payload: unknown): payload is TokenPayload {
  const candidate = payload as Partial<TokenPayload> | null;
  return typeof candidate?.sub === 'string' && typeof candidate.jti === 'string';
}

/**
 * Sign-up, sign-in, sign-out and the token check. A token is valid while its signature (HS256
 * only), its expiry, its session record and its user all are.
 */
@Injectable()
export class AuthService {
  private readonly expiresInSeconds: number;
  private readonly loginFailures: FixedWindowRateLimiter;
  /** One limiter for every register/login route (new and compatibility) of this process. */
  private readonly authAttempts: FixedWindowRateLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly jwt: JwtService,
    private readonly sessionEvents: SessionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.expiresInSeconds = config.get('auth', { infer: true }).jwtExpiresInSeconds;
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
    return this.issueToken(user);
  }

  async logout(user: AuthenticatedUser): Promise<void> {
    await this.sessions.revoke(user.jti);
    this.sessionEvents.revoked(user.jti);
  }

  /** The full check of a raw token, shared by the HTTP guard's strategy and the socket handshake. */
  async authenticateToken(token: string): Promise<AuthenticatedUser> {
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync(token, { algorithms: [JWT_ALGORITHM] });
    } catch (error) {
      throw new UnauthorizedException(
        error instanceof TokenExpiredError ? 'Token expired' : 'Invalid token',
      );
    }
    return this.authenticatePayload(payload);
  }

  /** The checks after the signature: session still open, user still there. */
  async authenticatePayload(payload: unknown): Promise<AuthenticatedUser> {
    if (!isTokenPayload(payload)) throw new UnauthorizedException('Invalid token');
    const session = await this.sessions.findActive(payload.jti);
    if (!session || session.userId !== payload.sub) {
      throw new UnauthorizedException('Session expired or signed out');
    }
    const profile = await this.users.findProfile(payload.sub);
    if (!profile) throw new UnauthorizedException('Session expired or signed out');
    return {
      userId: profile.id,
      jti: session.jti,
      name: profile.name,
      username: profile.username,
      expiresAt: session.expiresAt,
    };
  }

  private async issueToken(user: UserProfileDto): Promise<IssuedToken> {
    const jti = randomUUID();
    // Whole seconds, so the token's exp and the session's expiry are the same instant.
    const expiresAtSeconds = Math.floor(Date.now() / 1000) + this.expiresInSeconds;
    const expiresAt = new Date(expiresAtSeconds * 1000);
    await this.sessions.create({ jti, userId: user.id, expiresAt });
    const token = await this.jwt.signAsync(
      { sub: user.id, jti, exp: expiresAtSeconds },
      { algorithm: JWT_ALGORITHM },
    );
    return { token, expiresAt, user };
  }
}
