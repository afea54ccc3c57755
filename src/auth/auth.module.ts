import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { MongooseModule } from '@nestjs/mongoose';
import { PassportModule } from '@nestjs/passport';
import { RateLimitsModule } from '../rate-limits/rate-limits.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { Session, SessionSchema } from './schemas/session.schema.js';
import { SessionEvents } from './session-events.js';
import { SessionsRepository } from './sessions.repository.js';

@Module({
  imports: [
    UsersModule,
    RateLimitsModule,
    PassportModule,
    // The key and algorithm are AccessTokenService's, passed on every sign and verify.
    JwtModule.register({}),
    MongooseModule.forFeature([{ name: Session.name, schema: SessionSchema }]),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokenService,
    SessionsRepository,
    SessionEvents,
    JwtStrategy,
    AuthRateLimitGuard,
    // Deny by default: every route needs a token unless it is @Public().
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AuthService, AccessTokenService, AuthRateLimitGuard, SessionEvents],
})
export class AuthModule {}
