import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/configuration.js';
import { EmbeddedDatabaseHost } from './embedded-database.host.js';

/** Injection token: the MongoDB URI the application connects to. */
export const DATABASE_URI = Symbol('DATABASE_URI');

/** Resolves DATABASE_URI: DB_URI when set, else the URI of the embedded server it starts. */
@Module({
  providers: [
    EmbeddedDatabaseHost,
    {
      provide: DATABASE_URI,
      inject: [ConfigService, EmbeddedDatabaseHost],
      useFactory: (config: ConfigService<AppConfig, true>, host: EmbeddedDatabaseHost) => {
        const database = config.get('database', { infer: true });
        return database.uri ?? host.start(database.embedded);
      },
    },
  ],
  exports: [DATABASE_URI],
})
export class DatabaseUriModule {}
