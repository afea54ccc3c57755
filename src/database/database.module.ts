import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CONNECTION_OPTIONS, DatabaseConnectionService } from './database-connection.service.js';
import { DATABASE_URI, DatabaseUriModule } from './database-uri.module.js';

/**
 * The Mongoose connection to DB_URI (or to the embedded database when it is unset). The
 * connection is lazy: the server starts and serves what needs no database even when it is
 * unreachable, and DatabaseConnectionService keeps trying to connect in the background.
 */
@Global()
@Module({
  imports: [
    DatabaseUriModule,
    MongooseModule.forRootAsync({
      imports: [DatabaseUriModule],
      inject: [DATABASE_URI],
      useFactory: (uri: string) => ({ uri, lazyConnection: true, ...CONNECTION_OPTIONS }),
    }),
  ],
  providers: [DatabaseConnectionService],
  exports: [DatabaseConnectionService],
})
export class DatabaseModule {}
