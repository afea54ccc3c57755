import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfigModule } from './config/app-config.module.js';
import type { AppConfig } from './config/configuration.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MeetingsModule } from './meetings/meetings.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SignalingModule } from './signaling/signaling.module.js';
import { UsersModule } from './users/users.module.js';
// The original client's routes: delete this import, its entry below and src/compat/ to drop them.
import { CompatModule } from './compat/compat.module.js';

/** The feature modules the application serves. */
export const FEATURE_MODULES: readonly Type[] = [
  UsersModule,
  AuthModule,
  MeetingsModule,
  SignalingModule,
  CompatModule,
];

/** Wires the feature modules; global pipe and filter are APP_* providers so test modules get them. */
@Module({})
export class AppModule {
  /** `features`: all of them, unless a test boots a part (e.g. the modern API alone). */
  static forRoot(config: AppConfig, features: readonly Type[] = FEATURE_MODULES): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        MetricsModule,
        HealthModule,
        ...features,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
