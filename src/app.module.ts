import { type DynamicModule, Module } from '@nestjs/common';
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
// The original client's routes: delete this line, its use below and src/compat/ to drop them.
import { CompatModule } from './compat/compat.module.js';

export interface AppModuleOptions {
  /** Serve the original client's routes (default). Tests boot the modern API without them. */
  compat?: boolean;
}

/** Wires the feature modules; global pipe and filter are APP_* providers so test modules get them. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const features: DynamicModule['imports'] = [
      UsersModule,
      AuthModule,
      MeetingsModule,
      SignalingModule,
    ];
    if (options.compat !== false) features.push(CompatModule);
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
