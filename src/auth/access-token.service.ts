import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/configuration.js';
import type { UserProfileDto } from '../users/dto/user-profile.dto.js';
import { UsersService } from '../users/users.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { SessionsRepository } from './sessions.repository.js';

export const JWT_ALGORITHM = 'HS256';

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

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Where a caller may have put its access token. */
export interface TokenCarriers {
  /** `Authorization: Bearer <token>`: when present, the only carrier looked at. */
  authorization?: string;
  /**
   * Token fields of clients that cannot set that header, in order of preference: a browser's
   * WebSocket handshake (Socket.IO `auth.token`, then `?token=`), the original client's body
   * or query (lifted by the compat module).
   */
  fields?: readonly unknown[];
}

/** The one token extractor; undefined when no carrier holds a well-formed token. */
export function accessTokenFrom({ authorization, fields = [] }: TokenCarriers): string | undefined {
  if (authorization !== undefined) return BEARER.exec(authorization)?.[1];
  for (const field of fields) if (typeof field === 'string' && field !== '') return field;
  return undefined;
}

/**
 * The one set of messages for a refused token, from what the JWT library reported (or
 * nothing, when no token was presented).
 */
export function tokenFailureMessage(reason: unknown): string {
  const name = (reason as { name?: unknown } | null | undefined)?.name;
  if (name === 'TokenExpiredError') return 'Token expired';
  if (name === 'JsonWebTokenError' || name === 'NotBeforeError') return 'Invalid token';
  return 'Authentication required';
}

/**
 * Issues access tokens and holds THE token check, used by the HTTP guard, the socket
 * handshake and optional-auth routes alike. A token is valid while its signature (HS256
 * only), its expiry, its session record and its user all are.
 */
@Injectable()
export class AccessTokenService {
  /**
   * The HMAC key, made once: given a string, jsonwebtoken first tries (and fails) to parse it
   * as a PEM key on every sign and verify.
   */
  readonly key: KeyObject;
  private readonly expiresInSeconds: number;

  constructor(
    private readonly jwt: JwtService,
    private readonly sessions: SessionsRepository,
    private readonly users: UsersService,
    config: ConfigService<AppConfig, true>,
  ) {
    const auth = config.get('auth', { infer: true });
    this.key = createSecretKey(Buffer.from(auth.jwtSecret, 'utf8'));
    this.expiresInSeconds = auth.jwtExpiresInSeconds;
  }

  /** A new token for `user`, with its session record. */
  async issue(user: UserProfileDto): Promise<IssuedToken> {
    const jti = randomUUID();
    // Whole seconds, so the token's exp and the session's expiry are the same instant.
    const expiresAtSeconds = Math.floor(Date.now() / 1000) + this.expiresInSeconds;
    const expiresAt = new Date(expiresAtSeconds * 1000);
    await this.sessions.create({ jti, userId: user.id, expiresAt });
    const token = await this.jwt.signAsync(
      { sub: user.id, jti, exp: expiresAtSeconds },
      { privateKey: this.key, algorithm: JWT_ALGORITHM },
    );
    return { token, expiresAt, user };
  }

  /**
   * The token check: the caller a raw token stands for, or 401 with the reason. A database
   * failure propagates as it is (503 over HTTP).
   */
  async verify(token: string): Promise<AuthenticatedUser> {
    let payload: unknown;
    try {
      // jsonwebtoken accepts a KeyObject; @nestjs/jwt's per-call typings only list string | Buffer.
      payload = await this.jwt.verifyAsync(token, {
        secret: this.key as unknown as Buffer,
        algorithms: [JWT_ALGORITHM],
      });
    } catch (error) {
      throw new UnauthorizedException(tokenFailureMessage(error));
    }
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
}
