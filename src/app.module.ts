import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfigModule } from './config/app-config.module.js';
import type { AppConfig } from './config/configuration.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CompatModule } from './compat/compat.module.js';
import { MeetingsModule } from './meetings/meetings.module.js';
import { SignalingModule } from './signaling/signaling.module.js';
import { UsersModule } from './users/users.module.js';

/** Wires the feature modules; global pipe and filter are APP_* providers so test modules get them. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        MetricsModule,
        HealthModule,
        UsersModule,
        AuthModule,
        MeetingsModule,
        CompatModule,
        SignalingModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
