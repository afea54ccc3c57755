import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AppConfig } from './configuration.js';

/**
 * Makes the configuration validated at start-up available everywhere through
 * `ConfigService<AppConfig, true>` (e.g. `config.get('http', { infer: true })`).
 * Nothing is read from the environment here: the caller validated it once already.
 */
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          validatePredefined: false,
          load: [() => ({ ...config })],
        }),
      ],
    };
  }
}
