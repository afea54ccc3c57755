import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { resolve } from 'node:path';
import type { EmbeddedMongoServer } from 'embedded-mongo';
import type { EmbeddedDatabaseConfig } from './database.config.js';

/** The database name the application uses inside the embedded server. */
export const EMBEDDED_DATABASE_NAME = 'meet';

/**
 * Runs the embedded MongoDB-compatible server inside the application process when DB_URI is
 * unset (development), and stops it at shutdown. The rest of the app only sees its URI.
 */
@Injectable()
export class EmbeddedDatabaseHost implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private server?: EmbeddedMongoServer;

  async start(config: EmbeddedDatabaseConfig): Promise<string> {
    // Loaded here only: the engine is a development dependency, absent from a production
    // install, where DB_URI is required.
    const { EmbeddedMongoServer } = await import('embedded-mongo');
    this.server = await EmbeddedMongoServer.start({
      port: config.port,
      dataDir: config.dataDir,
      ttlSweepIntervalMs: config.ttlSweepIntervalMs,
      log: (level, message) => this.logger[level](`embedded database: ${message}`),
    });
    const uri = this.server.uri(EMBEDDED_DATABASE_NAME);
    const storage =
      config.dataDir === null ? 'in memory only' : `data in ${resolve(config.dataDir)}`;
    this.logger.log(
      `using the embedded development database at ${uri} (${storage}); set DB_URI to use MongoDB instead`,
    );
    return uri;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }
}
