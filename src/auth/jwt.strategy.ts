import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passportJwt from 'passport-jwt';
import type { AuthenticatedUser } from '../common/authenticated-user.js';
import type { AppConfig } from '../config/configuration.js';
import { AuthService, JWT_ALGORITHM, jwtSecretKey } from './auth.service.js';

/** Set by JwtAuthGuard on the compatibility routes. */
export interface RequestWithTokenSources extends Request {
  allowLegacyTokenSources?: boolean;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * `Authorization: Bearer <token>` everywhere; on the compatibility routes also the body's
 * `token` field or the `token` query parameter (the original client's way).
 */
export function extractToken(request: RequestWithTokenSources): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') return bearerToken(header) ?? null;
  if (!request.allowLegacyTokenSources) return null;
  const fromBody: unknown = (request.body as { token?: unknown } | undefined)?.token;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  const fromQuery: unknown = request.query.token;
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  return null;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(passportJwt.Strategy, 'jwt') {
  constructor(
    config: ConfigService<AppConfig, true>,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: extractToken,
      // jsonwebtoken accepts a KeyObject; passport-jwt's typings only list string | Buffer.
      secretOrKey: jwtSecretKey(config.get('auth', { infer: true }).jwtSecret) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /** Called with a payload whose signature and expiry passport-jwt has checked. */
  validate(payload: unknown): Promise<AuthenticatedUser> {
    return this.auth.authenticatePayload(payload);
  }
}
