import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import type { AppConfig } from '../config/configuration.js';
import { CONNECTION_OPTIONS, DatabaseConnectionService } from './database-connection.service.js';

/**
 * The Mongoose connection to DB_URI. The connection is lazy: the server starts and serves
 * what needs no database even when it is unreachable, and DatabaseConnectionService keeps
 * trying to connect in the background.
 */
@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        uri: config.get('database', { infer: true }).uri,
        lazyConnection: true,
        ...CONNECTION_OPTIONS,
      }),
    }),
  ],
  providers: [DatabaseConnectionService],
  exports: [DatabaseConnectionService],
})
export class DatabaseModule {}
