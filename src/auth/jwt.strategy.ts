import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passportJwt from 'passport-jwt';
import { AccessTokenService, accessTokenFrom, JWT_ALGORITHM } from './access-token.service.js';
import type { AuthenticatedUser } from './authenticated-user.js';

function tokenOf(request: Request): string | null {
  return accessTokenFrom({ authorization: request.headers.authorization }) ?? null;
}

/**
 * passport's `jwt` strategy for the global guard. passport-jwt turns away a request without a
 * well-formed, correctly signed, unexpired token before any database work; the decision is
 * the one token check (AccessTokenService.verify), with the same key and messages.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(passportJwt.Strategy, 'jwt') {
  constructor(private readonly tokens: AccessTokenService) {
    super({
      jwtFromRequest: tokenOf,
      secretOrKeyProvider: (
        _request: Request,
        _token: string,
        done: (e: null, k: Buffer) => void,
      ) =>
        // jsonwebtoken accepts a KeyObject; passport-jwt's typings only list string | Buffer.
        done(null, tokens.key as unknown as Buffer),
      algorithms: [JWT_ALGORITHM],
      passReqToCallback: true,
    });
  }

  validate(request: Request): Promise<AuthenticatedUser> {
    return this.tokens.verify(tokenOf(request) ?? '');
  }
}
